using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class GlobalMaxPooling2DTests
{
    [Fact]
    public void TakesTheMaximumOfEachChannel() =>
        LayerTestHelper.Check(new GlobalMaxPooling2D(), ReferenceData.Case("global_max")).Dispose();

    [Fact]
    public void KeepDimsKeepsOneByOne() =>
        LayerTestHelper.Check(new GlobalMaxPooling2D(keepDims: true), ReferenceData.Case("global_max_keepdims")).Dispose();

    [Fact]
    public void RejectsInputsThatAreNotImages()
    {
        var e = Assert.Throws<ArgumentException>(() => new GlobalMaxPooling2D(name: "gmp_rank").Call(torch.zeros(2, 3, 4)));
        Assert.Contains("gmp_rank", e.Message);
        Assert.Contains("(2, 3, 4)", e.Message);
    }
}
