using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class SliceTests
{
    [Fact]
    public void KeepsEveryOtherIndexOfARange() =>
        LayerTestHelper.Check(new Slice(1, 1, 5, step: 2), ReferenceData.Case("slice_step")).Dispose();

    [Fact]
    public void NegativeBoundsCountFromTheEnd() =>
        LayerTestHelper.Check(new Slice(-1, -3, long.MaxValue), ReferenceData.Case("slice_negative")).Dispose();

    [Fact]
    public void BoundsPastTheEndAreClamped() =>
        LayerTestHelper.Check(new Slice(1, 4, 100), ReferenceData.Case("slice_clamped")).Dispose();

    [Fact]
    public void TheBatchAxisAnEmptyRangeAndBadStepsAreRefused()
    {
        Assert.Contains("batch", Assert.Throws<ArgumentException>(() => new Slice(0, 0, 1)).Message);
        Assert.Contains("step=0", Assert.Throws<ArgumentOutOfRangeException>(() => new Slice(1, 0, 1, step: 0)).Message);
        var e = Assert.Throws<ArgumentException>(() => new Slice(1, 5, 9, name: "empty_slice").Call(new Input(4, 2)));
        Assert.Contains("empty_slice", e.Message);
        Assert.Contains("keep nothing", e.Message);
    }
}
