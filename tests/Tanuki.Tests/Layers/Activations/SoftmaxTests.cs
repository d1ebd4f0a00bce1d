using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class SoftmaxTests
{
    [Fact]
    public void NormalizesTheLastAxisByDefault() =>
        LayerTestHelper.Check(new Softmax(), ReferenceData.Case("softmax_last")).Dispose();

    [Fact]
    public void NormalizesChannels() =>
        LayerTestHelper.Check(new Softmax(axis: 1), ReferenceData.Case("softmax_channels")).Dispose();

    [Fact]
    public void RejectsTheBatchAxisAndAxesOutOfRange()
    {
        Assert.Contains("axis=0", Assert.Throws<ArgumentException>(() => new Softmax(0)).Message);
        var e = Assert.Throws<ArgumentException>(() => new Softmax(3, name: "softmax_axis").Call(new Input(4, 5)));
        Assert.Contains("softmax_axis", e.Message);
        Assert.Contains("(None, 4, 5)", e.Message);
    }
}
