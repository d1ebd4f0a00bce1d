using Tanuki.Interop;
using Tanuki.Layers;

namespace Tanuki.Tests.Interop;

/// <summary>
/// Keras layers that exporters take apart — LayerNormalization, GELU, SiLU, hard swish — import as one layer each, in
/// the node orders exporters use, and compute what ONNX Runtime computes.
/// </summary>
public class OnnxFusionImportTests
{
    private static Tensor Check(string path, string input, long[] sampleShape, double atol = 1e-5)
    {
        Model model = Onnx.Import(path);
        Tensor x = torch.randn([3, .. sampleShape], generator: new torch.Generator(21));
        TensorAssert.Close(OnnxRuntimeReference.Run(path, (input, x))[0], model.Call(x), atol: atol, rtol: 1e-4);
        return x;
    }

    /// <summary>PyTorch's LayerNorm before opset 17, on the last axis or (ConvNeXt) on channels moved last.</summary>
    private static string DecomposedLayerNorm(bool channels)
    {
        var g = new torch.Generator(22);
        int c = channels ? 4 : 6;
        var b = new OnnxGraphBuilder(opset: 13)
            .Input("x", channels ? [-1, 4, 3, 3] : [-1, 5, 6])
            .Initializer("gamma", torch.randn([c], generator: g)).Initializer("beta", torch.randn([c], generator: g))
            .Initializer("two", torch.tensor(2f)).Initializer("eps", torch.tensor(1e-6f));
        string input = "x";
        if (channels)
        {
            b.Node("Transpose", "to_nhwc", ["x"], ["nhwc"], ("perm", new long[] { 0, 2, 3, 1 }));
            input = "nhwc";
        }
        b.Node("ReduceMean", "ln/ReduceMean", [input], ["m"], ("axes", new long[] { -1 }))
            .Node("Sub", "ln/Sub", [input, "m"], ["d"])
            .Node("Pow", "ln/Pow", ["d", "two"], ["p"])
            .Node("ReduceMean", "ln/ReduceMean_1", ["p"], ["v"], ("axes", new long[] { -1 }))
            .Node("Add", "ln/Add", ["v", "eps"], ["ve"])
            .Node("Sqrt", "ln/Sqrt", ["ve"], ["s"])
            .Node("Div", "ln/Div", ["d", "s"], ["n"])
            .Node("Mul", "ln/Mul", ["n", "gamma"], ["ng"])
            .Node("Add", "ln/Add_1", ["ng", "beta"], ["y0"]);
        if (channels) b.Node("Transpose", "to_nchw", ["y0"], ["y"], ("perm", new long[] { 0, 3, 1, 2 }));
        return b.Output(channels ? "y" : "y0", channels ? [-1, 4, 3, 3] : [-1, 5, 6]).Save(channels ? "ln_channels.onnx" : "ln_last.onnx");
    }

    [Fact]
    public void DecomposedLayerNormalizationIsOneLayerWithTheFilesScaleAndShift()
    {
        string path = DecomposedLayerNorm(channels: false);
        Model model = Onnx.Import(path);
        var ln = Assert.IsType<LayerNormalization>(Assert.Single(model.Layers.Skip(1)));
        Assert.Equal("ln", ln.Name);                  // the module path the nodes share
        Assert.Equal(1e-6, ln.Epsilon, 9);
        Assert.Equal(new[] { "gamma", "beta" }, ln.TrainableWeights.Select(w => w.Name));
        Check(path, "x", [5, 6]);
    }

    [Fact]
    public void ConvNeXtsChannelsLastLayerNormNormalizesChannelsWithoutPermuting()
    {
        string path = DecomposedLayerNorm(channels: true);
        Model model = Onnx.Import(path);
        var ln = Assert.IsType<LayerNormalization>(Assert.Single(model.Layers.Skip(1)));
        Assert.Equal(new[] { 1 }, ln.Axis);
        Check(path, "x", [4, 3, 3]);
    }

    [Fact]
    public void TheLayerNormalizationOperatorOfOpset17()
    {
        var g = new torch.Generator(23);
        string path = new OnnxGraphBuilder(opset: 17)
            .Input("x", -1, 3, 4, 5)
            .Initializer("scale", torch.randn([4, 5], generator: g)).Initializer("bias", torch.randn([4, 5], generator: g))
            .Node("LayerNormalization", "ln", ["x", "scale", "bias"], ["y"], ("axis", -2L), ("epsilon", 1e-3f))
            .Output("y", -1, 3, 4, 5)
            .Save("ln_op.onnx");
        var ln = Assert.IsType<LayerNormalization>(Assert.Single(Onnx.Import(path).Layers.Skip(1)));
        Assert.Equal(new[] { 2, 3 }, ln.Axis);
        Assert.Equal(new long[] { 4, 5 }, ln.Gamma!.Shape);
        Check(path, "x", [3, 4, 5]);
    }

    /// <summary>x · ½ · (1 + erf(x / √2)) with the multiplications in the three orders exporters use.</summary>
    [Theory]
    [InlineData("torch")]
    [InlineData("half_first")]
    [InlineData("half_last")]
    public void GeluFromErfIsOneActivation(string order)
    {
        var b = new OnnxGraphBuilder(opset: 13)
            .Input("x", -1, 7)
            .Initializer("sqrt2", torch.tensor(MathF.Sqrt(2))).Initializer("one", torch.tensor(1f)).Initializer("half", torch.tensor(0.5f))
            .Node("Div", "gelu/Div", ["x", "sqrt2"], ["d"])
            .Node("Erf", "gelu/Erf", ["d"], ["e"])
            .Node("Add", "gelu/Add", ["e", "one"], ["a"]);
        _ = order switch
        {
            "torch" => b.Node("Mul", "gelu/Mul", ["x", "a"], ["m"]).Node("Mul", "gelu/Mul_1", ["m", "half"], ["y"]),
            "half_first" => b.Node("Mul", "gelu/Half", ["x", "half"], ["h"]).Node("Mul", "gelu/Mul", ["h", "a"], ["y"]),
            _ => b.Node("Mul", "gelu/Half", ["a", "half"], ["h"]).Node("Mul", "gelu/Mul", ["x", "h"], ["y"]),
        };
        string path = b.Output("y", -1, 7).Save($"gelu_{order}.onnx");
        var gelu = Assert.IsType<Activation>(Assert.Single(Onnx.Import(path).Layers.Skip(1)));
        Assert.Same(Activations.Gelu, gelu.Function);
        Check(path, "x", [7]);
    }

    [Fact]
    public void SiluAndHardSwishBecomeActivationsButAGateOnAnotherTensorStaysAMultiply()
    {
        string path = new OnnxGraphBuilder(opset: 13)
            .Input("x", -1, 6)
            .Node("Sigmoid", "silu/Sigmoid", ["x"], ["s"])
            .Node("Mul", "silu/Mul", ["x", "s"], ["a"])
            .Node("HardSigmoid", "hs/HardSigmoid", ["a"], ["h"], ("alpha", 1f / 6), ("beta", 0.5f))
            .Node("Mul", "hs/Mul", ["h", "a"], ["b"])
            .Node("Sigmoid", "gate", ["x"], ["gx"])
            .Node("Mul", "gated", ["b", "gx"], ["y"])
            .Output("y", -1, 6)
            .Save("gates.onnx");
        Model model = Onnx.Import(path);
        Assert.Equal(new[] { "silu", "hard_silu", "sigmoid" }, model.Layers.OfType<Activation>().Select(a => a.Function.Name));
        Assert.Single(model.Layers.OfType<Multiply>());
        Check(path, "x", [6]);
    }

    [Fact]
    public void ReduceMeanOverTheSpatialAxesIsGlobalAveragePoolingAndOtherAxesAreExplained()
    {
        string path = new OnnxGraphBuilder(opset: 13)
            .Input("x", -1, 3, 4, 5)
            .Node("ReduceMean", "pool", ["x"], ["y"], ("axes", new long[] { 2, 3 }), ("keepdims", 0L))
            .Output("y", -1, 3)
            .Save("reduce_mean.onnx");
        var pool = Assert.IsType<GlobalAveragePooling2D>(Assert.Single(Onnx.Import(path).Layers.Skip(1)));
        Assert.False(pool.KeepDims);
        Check(path, "x", [3, 4, 5]);
        string other = new OnnxGraphBuilder(opset: 13)
            .Input("x", -1, 3, 4)
            .Node("ReduceMean", "token_mean", ["x"], ["y"], ("axes", new long[] { 1 }))
            .Output("y", -1, 1, 4)
            .Save("reduce_mean_tokens.onnx");
        var e = Assert.Throws<NotSupportedException>(() => Onnx.Import(other));
        Assert.Contains("ReduceMean 'token_mean'", e.Message);
        Assert.Contains("axes [1]", e.Message);
    }
}
