using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class RescalingTests
{
    [Fact]
    public void ScalesAndOffsets() =>
        LayerTestHelper.Check(new Rescaling(1.0 / 127.5, offset: -1), ReferenceData.Case("rescaling")).Dispose();

    [Fact]
    public void IntegerPixelsBecomeFloat()
    {
        using var scope = torch.NewDisposeScope();
        Tensor y = new Rescaling(1.0 / 255).Call(torch.tensor(new long[] { 0, 51, 255 }).reshape(1, 3));
        Assert.Equal(ScalarType.Float32, y.dtype);
        TensorAssert.Close(new float[] { 0, 0.2f, 1 }, y, 1e-7);
    }

    [Fact]
    public void RejectsNonFiniteFactors() =>
        Assert.Contains("scale=NaN", Assert.Throws<ArgumentException>(() => new Rescaling(double.NaN)).Message);
}
