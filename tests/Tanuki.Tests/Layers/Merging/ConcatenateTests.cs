using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class ConcatenateTests
{
    [Fact]
    public void JoinsChannelsByDefault() =>
        LayerTestHelper.Check(new Concatenate(), ReferenceData.Case("concat_channels")).Dispose();

    [Fact]
    public void JoinsAlongANegativeAxis() =>
        LayerTestHelper.Check(new Concatenate(axis: -1), ReferenceData.Case("concat_last")).Dispose();

    [Fact]
    public void JoinsFeaturesOfThreeInputs() =>
        LayerTestHelper.Check(new Concatenate(), ReferenceData.Case("concat_features")).Dispose();

    [Fact]
    public void MismatchedNonAxisSizesNameTheLayerAndShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new Concatenate(name: "concat_bad").Call([new Input(2, 4, 4), new Input(3, 4, 5)]));
        Assert.Contains("concat_bad", e.Message);
        Assert.Contains("(None, 2, 4, 4)", e.Message);
        Assert.Contains("(None, 3, 4, 5)", e.Message);
        Assert.Contains("axis 3", e.Message);
        var eager = Assert.Throws<ArgumentException>(() => new Concatenate(name: "concat_rank").Call([torch.zeros(2, 3), torch.zeros(2, 3, 1)]));
        Assert.Contains("concat_rank", eager.Message);
        Assert.Contains("[(2, 3), (2, 3, 1)]", eager.Message);
        Assert.Contains("axis=0", Assert.Throws<ArgumentException>(() => new Concatenate(axis: 0)).Message);
    }

    [Fact]
    public void UnknownSizeOnTheAxisMakesTheOutputSizeUnknown()
    {
        var c = new Concatenate();
        Assert.Equal(new long[] { -1, -1, 4 }, c.ComputeOutputShape([new long[] { -1, 2, 4 }, new long[] { -1, -1, -1 }]).Single());
        Assert.Equal(new long[] { -1, 5, 4 }, c.ComputeOutputShape([new long[] { -1, 2, 4 }, new long[] { -1, 3, -1 }]).Single());
    }
}
