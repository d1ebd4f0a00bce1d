using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class GlobalAveragePooling2DTests
{
    [Fact]
    public void AveragesEachChannel() =>
        LayerTestHelper.Check(new GlobalAveragePooling2D(), ReferenceData.Case("global_avg")).Dispose();

    [Fact]
    public void KeepDimsKeepsOneByOne() =>
        LayerTestHelper.Check(new GlobalAveragePooling2D(keepDims: true), ReferenceData.Case("global_avg_keepdims")).Dispose();

    [Fact]
    public void RejectsInputsThatAreNotImages()
    {
        var e = Assert.Throws<ArgumentException>(() => new GlobalAveragePooling2D(name: "gap_rank").Call(new Input(10)));
        Assert.Contains("gap_rank", e.Message);
        Assert.Contains("(None, 10)", e.Message);
    }
}
