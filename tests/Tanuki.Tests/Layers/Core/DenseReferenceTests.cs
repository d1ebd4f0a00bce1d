using Tanuki.Layers;
using CoreReference = Tanuki.Tests.Reference.ReferenceData;

namespace Tanuki.Tests.Layers;

public class DenseReferenceTests
{
    private static readonly CoreReference Ref = CoreReference.Load("core.json");

    [Fact]
    public void ForwardMatchesPyTorchLinearWithTheKernelTransposed()
    {
        var dense = new Dense(3, activation: "relu");
        dense.Build(new long[] { -1, 5 });
        dense.SetWeights([Ref.Tensor("dense.kernel"), Ref.Tensor("dense.bias")]);
        using Tensor y = dense.Call(Ref.Tensor("dense.x"));
        TensorAssert.Close(Ref.Tensor("dense.y_relu"), y, atol: 1e-5);   // float32 vs float64 reference
    }

    [Fact]
    public void WorksOnTheLastAxisOfRank3Inputs()
    {
        var dense = new Dense(2, useBias: false);
        using Tensor x = torch.ones(2, 4, 3);
        using Tensor y = dense.Call(x);
        Assert.Equal(new long[] { 2, 4, 2 }, y.shape);
        Assert.Single(dense.Weights);
        // every row of x is ones, so each output is the column sum of the kernel
        using Tensor expected = dense.Kernel!.Value.detach().sum(new long[] { 0 }).expand(2, 4, 2);
        TensorAssert.Close(expected, y, atol: 1e-6);
    }

    [Fact]
    public void AWrongInputWidthToABuiltDenseIsAClearError()
    {
        var dense = new Dense(3, name: "classifier");
        dense.Build(new long[] { -1, 4 });
        var e = Assert.Throws<ArgumentException>(() => dense.Call(torch.ones(2, 5)));
        Assert.Contains("classifier", e.Message);
        Assert.Contains("expected axis -1 of input shape to have value 4", e.Message);
        Assert.Contains("(2, 5)", e.Message);
    }

    [Fact]
    public void SetWeightsChecksCountAndShapes()
    {
        var dense = new Dense(3, name: "head");
        dense.Build(new long[] { -1, 4 });
        var count = Assert.Throws<ArgumentException>(() => dense.SetWeights([torch.zeros(4, 3)]));
        Assert.Contains("expects 2 weight arrays", count.Message);
        var shape = Assert.Throws<ArgumentException>(() => dense.SetWeights([torch.zeros(3, 4), torch.zeros(3)]));
        Assert.Contains("head/kernel", shape.Message);
        Assert.Contains("(4, 3)", shape.Message);
        Assert.Contains("(3, 4)", shape.Message);
    }

    [Fact]
    public void ConstructorArgumentsAreChecked()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(0));
        Assert.Contains("Received: units=0", e.Message);
        Assert.Throws<ArgumentException>(() => new Dense(2, activation: "nope"));
        Assert.Throws<ArgumentException>(() => new Dense(2, kernelInitializer: "nope"));
    }

    [Fact]
    public void GlorotUniformStaysWithinItsLimit()
    {
        var dense = new Dense(300, kernelInitializer: Initializers.GlorotUniform);
        dense.Build(new long[] { -1, 200 });
        double limit = Math.Sqrt(6.0 / (200 + 300));
        Tensor k = dense.Kernel!.Value;
        Assert.True(k.abs().max().item<float>() <= limit);
        // uniform on [-limit, limit] has variance limit^2 / 3
        Assert.InRange(k.var().item<float>(), limit * limit / 3 * 0.95, limit * limit / 3 * 1.05);
        var he = new Dense(300, kernelInitializer: "he_normal");
        he.Build(new long[] { -1, 200 });
        // truncated normal corrected to variance 2 / fan_in
        Assert.InRange(he.Kernel!.Value.var().item<float>(), 2.0 / 200 * 0.93, 2.0 / 200 * 1.07);
        Assert.True(he.Kernel!.Value.abs().max().item<float>() <= 2 * Math.Sqrt(2.0 / 200) / 0.87962566103423978 + 1e-6);
    }
}
