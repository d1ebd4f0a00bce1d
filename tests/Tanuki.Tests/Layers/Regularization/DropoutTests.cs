using Tanuki.Layers;
using Tanuki.Tests.Layers;

namespace Tanuki.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void PassesTheSharedLayerChecks() =>
        LayerTestHelper.Check(new Dropout(0.5), Tanuki.Tests.Layers.ReferenceData.Case("dropout_inference")).Dispose();

    [Fact]
    public void InInferenceItIsTheIdentity()
    {
        var d = new Dropout(0.5);
        Tensor x = torch.rand(4, 10);
        Assert.Same(x, d.Call(x, training: false));
        Assert.Same(x, d.Call(x));
    }

    [Fact]
    public void InTrainingItDropsTheRateAndScalesTheRest()
    {
        var d = new Dropout(0.3, seed: 7);
        Tensor x = torch.ones(200, 500);
        Tensor y = d.Call(x, training: true);
        double dropped = y.eq(0).to_type(ScalarType.Float64).mean().item<double>();
        Assert.InRange(dropped, 0.29, 0.31);    // 100,000 Bernoulli draws: sd 0.0015
        Tensor kept = y.masked_select(y.ne(0));
        TensorAssert.Close(torch.full(kept.shape, 1 / 0.7), kept, atol: 1e-6);
    }

    [Fact]
    public void TheSameSeedGivesTheSameMasks()
    {
        Tensor x = torch.ones(10, 10);
        var a = new Dropout(0.5, seed: 3);
        var b = new Dropout(0.5, seed: 3);
        TensorAssert.Equal(a.Call(x, training: true), b.Call(x, training: true));
        TensorAssert.Equal(a.Call(x, training: true), b.Call(x, training: true));
    }

    [Fact]
    public void RateOutsideZeroToOneIsRejected()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.0));
        Assert.Contains("Received: rate=1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(-0.1));
    }
}
