using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void IsTheIdentityInInference() =>
        LayerTestHelper.Check(new Dropout(0.5), ReferenceData.Case("dropout_inference")).Dispose();

    [Fact]
    public void InTrainingDropsAboutRateAndScalesTheRest()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new Dropout(0.25, seed: 3);
        Tensor y = layer.Call(torch.ones(100, 100), training: true);
        double dropped = (y == 0).to_type(ScalarType.Float64).mean().item<double>();
        Assert.InRange(dropped, 0.22, 0.28);   // 10,000 draws: 6 standard deviations either side
        Tensor kept = y.masked_select(y != 0);
        TensorAssert.Close(torch.full(kept.shape, 1 / 0.75, dtype: ScalarType.Float32), kept, 1e-6);
        Assert.True(layer.IsRandom);
    }
}
