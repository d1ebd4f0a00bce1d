using Tanuki.Layers;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Tests.Layers;

public class PadTests
{
    [Fact]
    public void PassesTheSharedLayerChecks()
    {
        LayerTestHelper.Check(new Pad([0, 0, 1, 2, 0, 3], "edge"), [[2, 3, 4, 5]]).Dispose();
        LayerTestHelper.Check(new Pad([1, 0, 2, 2], "constant", 0.5), [[2, 3, 4]]).Dispose();
    }

    [Fact]
    public void ConstantReflectAndEdgeMatchHandComputedRows()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.tensor(new float[] { 1, 2, 3 }).reshape(1, 1, 3);
        TensorAssert.Close(new float[] { 9, 1, 2, 3, 9, 9 }, new Pad([0, 0, 1, 2], "constant", 9).Call(x), atol: 0);
        TensorAssert.Close(new float[] { 3, 2, 1, 2, 3, 2 }, new Pad([0, 0, 2, 1], "reflect").Call(x), atol: 0);
        TensorAssert.Close(new float[] { 1, 1, 2, 3, 3, 3 }, new Pad([0, 0, 1, 2], "edge").Call(x), atol: 0);
        TensorAssert.Close(new float[] { 2 }, new Pad([0, 0, -1, -1]).Call(x), atol: 0);   // negative amounts crop
    }

    [Fact]
    public void ReflectOnImagesEqualsLibtorchsAndShapesAreComputed()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(2, 3, 5, 6);
        var layer = new Pad([0, 0, 1, 2, 3, 0], "reflect");
        TensorAssert.Equal(F.pad(x, [3, 0, 1, 2], PaddingModes.Reflect), layer.Call(x));
        Assert.Equal(new long[] { -1, 3, 8, 9 }, layer.ComputeOutputShape(new long[] { -1, 3, 5, 6 }));
        Assert.Equal(new long[] { -1, 3, -1, 9 }, layer.ComputeOutputShape(new long[] { -1, 3, -1, 6 }));
        var config = layer.GetConfig();
        Assert.Equal("reflect", config["mode"]);
        Assert.Equal(new[] { 0, 0, 1, 2, 3, 0 }, config["padding"]);
    }

    [Fact]
    public void BadArgumentsAreExplained()
    {
        Assert.Contains("(before, after) pair", Assert.Throws<ArgumentException>(() => new Pad([1, 2, 3])).Message);
        Assert.Contains("Received: mode=\"wrap\"", Assert.Throws<ArgumentException>(() => new Pad([1, 1], "wrap")).Message);
        Assert.Contains("at most the last 3 axes", Assert.Throws<ArgumentException>(() => new Pad([1, 1, 0, 0, 0, 0, 1, 1], "edge")).Message);
        Assert.Contains("cannot crop", Assert.Throws<ArgumentException>(() => new Pad([-1, 0], "reflect")).Message);
    }
}
