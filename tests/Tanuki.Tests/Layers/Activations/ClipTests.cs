using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class ClipTests
{
    [Fact]
    public void PassesTheSharedLayerChecks() => LayerTestHelper.Check(new Clip(-0.5, 0.5), [[2, 3, 4]]).Dispose();

    [Fact]
    public void ClampsToEitherOrBothBounds()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.tensor(new float[] { -3, -1, 0, 2, 7 }).reshape(1, 5);
        TensorAssert.Close(new float[] { -2, -1, 0, 2, 5 }, new Clip(-2, 5).Call(x), atol: 0);
        TensorAssert.Close(new float[] { -1, -1, 0, 2, 7 }, new Clip(minValue: -1).Call(x), atol: 0);
        TensorAssert.Close(new float[] { -3, -1, 0, 1, 1 }, new Clip(maxValue: 1).Call(x), atol: 0);
        var config = new Clip(-2, 5).GetConfig();
        Assert.Equal(-2.0, config["min_value"]);
        Assert.Equal(5.0, config["max_value"]);
    }

    [Fact]
    public void MinAboveMaxIsExplained() =>
        Assert.Contains("Received: minValue=3, maxValue=1", Assert.Throws<ArgumentException>(() => new Clip(3, 1)).Message);
}
