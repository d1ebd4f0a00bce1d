using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class PermuteTests
{
    [Fact]
    public void PassesTheSharedLayerChecks() => LayerTestHelper.Check(new Permute([3, 1, 2]), [[2, 3, 4, 5]]).Dispose();

    [Fact]
    public void PermutesTheAxesAfterTheBatch()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new Permute([2, 3, 1]);
        Tensor x = torch.arange(24, dtype: ScalarType.Float32).reshape(1, 2, 3, 4);
        Tensor y = layer.Call(x);
        Assert.Equal(new long[] { 1, 3, 4, 2 }, y.shape);
        Assert.Equal(x[0, 1, 2, 3].item<float>(), y[0, 2, 3, 1].item<float>());
        Assert.Equal(new long[] { -1, 3, 4, 2 }, layer.ComputeOutputShape(new long[] { -1, 2, 3, 4 }));
        Assert.Equal(new[] { 2, 3, 1 }, layer.GetConfig()["dims"]);
    }

    [Fact]
    public void NotAPermutationIsExplained() =>
        Assert.Contains("must be consecutive and start from 1", Assert.Throws<ArgumentException>(() => new Permute([0, 1])).Message);
}
