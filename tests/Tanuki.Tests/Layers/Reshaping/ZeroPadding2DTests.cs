using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class ZeroPadding2DTests
{
    [Fact]
    public void PadsEverySideByOneByDefault() =>
        LayerTestHelper.Check(new ZeroPadding2D(), ReferenceData.Case("zeropad_int")).Dispose();

    [Fact]
    public void PadsHeightAndWidthSymmetrically() =>
        LayerTestHelper.Check(new ZeroPadding2D((1, 2)), ReferenceData.Case("zeropad_symmetric")).Dispose();

    [Fact]
    public void PadsEachSideByItsOwnAmount() =>
        LayerTestHelper.Check(new ZeroPadding2D((0, 1, 2, 3)), ReferenceData.Case("zeropad_asymmetric")).Dispose();

    [Fact]
    public void RejectsNegativePads()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ZeroPadding2D((1, -1)));
        Assert.Contains("ZeroPadding2D", e.Message);
        Assert.Contains("padding=(1, 1, -1, -1)", e.Message);
    }
}
