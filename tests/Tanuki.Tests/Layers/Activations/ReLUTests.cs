using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class ReLUTests
{
    [Fact]
    public void PlainReLU() => LayerTestHelper.Check(new ReLU(), ReferenceData.Case("relu_plain")).Dispose();

    [Fact]
    public void MaxValueSlopeAndThresholdFollowKeras() =>
        LayerTestHelper.Check(new ReLU(maxValue: 1.5, negativeSlope: 0.1, threshold: 0.5), ReferenceData.Case("relu_options")).Dispose();
}
