using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class ConstantArithmeticTests
{
    [Fact]
    public void PassesTheSharedLayerChecks()
    {
        LayerTestHelper.Check(new ConstantArithmetic("subtract", [1, 3, 1, 1], constantFirst: true), [[2, 3, 4, 5]], nonTrainable: 1).Dispose();
        LayerTestHelper.Check(new ConstantArithmetic("divide", []), [[2, 3]], nonTrainable: 1).Dispose();
    }

    [Fact]
    public void AppliesEachOperationWithBroadcastingInBothOrders()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }).reshape(2, 3);
        Tensor c = torch.tensor(new float[] { 2, 4, 8 });
        foreach (var (op, expected, reversed) in new (string, float[], float[])[]
                 {
                     ("add", [3, 6, 11, 6, 9, 14], [3, 6, 11, 6, 9, 14]),
                     ("subtract", [-1, -2, -5, 2, 1, -2], [1, 2, 5, -2, -1, 2]),
                     ("multiply", [2, 8, 24, 8, 20, 48], [2, 8, 24, 8, 20, 48]),
                     ("divide", [0.5f, 0.5f, 0.375f, 2, 1.25f, 0.75f], [2, 2, 8 / 3f, 0.5f, 0.8f, 8 / 6f]),
                 })
        {
            var layer = new ConstantArithmetic(op, [3]);
            layer.Build(new long[] { -1, 3 });
            layer.Weights[0].Assign(c);
            TensorAssert.Close(expected, layer.Call(x), atol: 1e-6);
            var first = new ConstantArithmetic(op, [3], constantFirst: true);
            first.Build(new long[] { -1, 3 });
            first.SetWeights([c]);
            TensorAssert.Close(reversed, first.Call(x), atol: 1e-6);
        }
    }

    [Fact]
    public void TheConstantIsANonTrainableWeightAndTheConfigHoldsTheArguments()
    {
        var layer = new ConstantArithmetic("multiply", [1, 3, 1, 1], name: "scale");
        layer.Build(new long[] { -1, 3, 4, 4 });
        Assert.Empty(layer.TrainableWeights);
        Assert.Equal("scale/constant", Assert.Single(layer.NonTrainableWeights).Path);
        TensorAssert.Equal(torch.ones(1, 3, 1, 1), layer.Weights[0].Value);   // identity until set
        Assert.Equal(new long[] { -1, 3, 4, 4 }, layer.ComputeOutputShape(new long[] { -1, 3, 4, 4 }));
        var config = layer.GetConfig();
        Assert.Equal("multiply", config["operation"]);
        Assert.Equal(new long[] { 1, 3, 1, 1 }, config["constant_shape"]);
        Assert.Equal(false, config["constant_first"]);
    }

    [Fact]
    public void BadArgumentsAreExplained()
    {
        Assert.Contains("Received: operation=\"power\"", Assert.Throws<ArgumentException>(() => new ConstantArithmetic("power", [1])).Message);
        Assert.Contains("positive sizes", Assert.Throws<ArgumentException>(() => new ConstantArithmetic("add", [0])).Message);
        var layer = new ConstantArithmetic("add", [4]);
        Assert.Contains("cannot be broadcast", Assert.Throws<ArgumentException>(() => layer.Build(new long[] { -1, 3 })).Message);
    }
}
