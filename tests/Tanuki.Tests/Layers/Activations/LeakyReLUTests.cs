using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class LeakyReLUTests
{
    [Fact]
    public void DefaultSlopeIsKeras03() =>
        LayerTestHelper.Check(new LeakyReLU(), ReferenceData.Case("leaky_relu_default")).Dispose();

    [Fact]
    public void TakesASlope() =>
        LayerTestHelper.Check(new LeakyReLU(0.1), ReferenceData.Case("leaky_relu_01")).Dispose();

    [Fact]
    public void RejectsANegativeSlope() =>
        Assert.Contains("negativeSlope=-0.5", Assert.Throws<ArgumentOutOfRangeException>(() => new LeakyReLU(-0.5)).Message);
}
