using Tanuki.Interop;
using Tanuki.Layers;

namespace Tanuki.Tests.Interop;

/// <summary>
/// Opsets 18 to 21, which Debian's PyTorch 1.13 cannot export (the corpus stops at 17): the operators whose meaning
/// changed there — ReduceMean's axes as an input, Pad's axes, Split's num_outputs, the Gelu operator — on graphs of
/// our own, compared with ONNX Runtime.
/// </summary>
public class OnnxNewerOpsetImportTests
{
    private static Model Check(string path, long[] sampleShape)
    {
        Model model = Onnx.Import(path);
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn([3, .. sampleShape], generator: new torch.Generator(31));
        TensorAssert.Close(OnnxRuntimeReference.Run(path, ("x", x))[0], model.Call(x), atol: 1e-5, rtol: 1e-4);
        return model;
    }

    [Fact]
    public void Opset18LayerNormWhoseReduceMeanTakesItsAxesAsAnInput()
    {
        var g = new torch.Generator(32);
        string path = new OnnxGraphBuilder(opset: 18)
            .Input("x", -1, 5, 6)
            .Initializer("gamma", torch.randn([6], generator: g)).Initializer("beta", torch.randn([6], generator: g))
            .Initializer("two", torch.tensor(2f)).Initializer("eps", torch.tensor(1e-5f)).Ints("last", -1)
            .Node("ReduceMean", "ln/ReduceMean", ["x", "last"], ["m"])
            .Node("Sub", "ln/Sub", ["x", "m"], ["d"])
            .Node("Pow", "ln/Pow", ["d", "two"], ["p"])
            .Node("ReduceMean", "ln/ReduceMean_1", ["p", "last"], ["v"])
            .Node("Add", "ln/Add", ["v", "eps"], ["ve"])
            .Node("Sqrt", "ln/Sqrt", ["ve"], ["s"])
            .Node("Div", "ln/Div", ["d", "s"], ["n"])
            .Node("Mul", "ln/Mul", ["n", "gamma"], ["ng"])
            .Node("Add", "ln/Add_1", ["ng", "beta"], ["y"])
            .Output("y", -1, 5, 6)
            .Save("opset18_ln.onnx");
        Assert.IsType<LayerNormalization>(Assert.Single(Check(path, [5, 6]).Layers.Skip(1)));
    }

    [Fact]
    public void Opset18PadOfSomeAxesSplitByNumOutputsAndSpatialReduceMean()
    {
        var g = new torch.Generator(33);
        string path = new OnnxGraphBuilder(opset: 18)
            .Input("x", -1, 5, 4, 4)
            .Ints("pads", 1, 0, 2, 1).Ints("pad_axes", 2, -1).Ints("spatial", 2, 3)
            .Initializer("w", torch.randn([4, 2, 3, 3], generator: g))
            .Node("Pad", "pad", ["x", "pads", "", "pad_axes"], ["p"], ("mode", "reflect"))
            .Node("Split", "chunk", ["p"], ["a", "b"], ("axis", 1L), ("num_outputs", 2L))
            .Node("Conv", "conv", ["b", "w"], ["c"])
            .Node("ReduceMean", "pool", ["c", "spatial"], ["y"], ("keepdims", 1L))
            .Output("y", -1, 4, 1, 1)
            .Save("opset18_pad_split.onnx");
        Model model = Check(path, [5, 4, 4]);
        // Split 5 channels in 2: ceil(5 / 2) = 3, then 2.
        Assert.Equal(new long[] { -1, 2, 7, 5 }, model.GetLayer("chunk_2").InboundNodes[0].Outputs[0].Shape);
        Assert.IsType<GlobalAveragePooling2D>(model.GetLayer("pool"));
    }

    [Fact]
    public void Opset20GeluOperatorAndItsTanhApproximationIsExplained()
    {
        string path = new OnnxGraphBuilder(opset: 20).Input("x", -1, 7).Node("Gelu", "gelu", ["x"], ["y"]).Output("y", -1, 7).Save("opset20_gelu.onnx");
        Assert.Same(Activations.Gelu, Assert.IsType<Activation>(Check(path, [7]).GetLayer("gelu")).Function);
        string tanh = new OnnxGraphBuilder(opset: 20).Input("x", -1, 7).Node("Gelu", "gelu", ["x"], ["y"], ("approximate", "tanh")).Output("y", -1, 7).Save("opset20_gelu_tanh.onnx");
        Assert.Contains("Gelu 'gelu': approximate=\"tanh\" is not imported", Assert.Throws<NotSupportedException>(() => Onnx.Import(tanh)).Message);
    }

    [Fact]
    public void Opset21SmallCnn()
    {
        var g = new torch.Generator(34);
        Tensor R(params long[] shape) => torch.randn(shape, generator: g);
        string path = new OnnxGraphBuilder(opset: 21)
            .Input("x", -1, 3, 8, 8)
            .Initializer("w", R(4, 3, 3, 3)).Initializer("scale", R(4)).Initializer("bias", R(4)).Initializer("mean", R(4)).Initializer("var", R(4).abs() + 0.5)
            .Initializer("fc_w", R(5, 4)).Initializer("fc_b", R(5))
            .Node("Conv", "conv", ["x", "w"], ["c"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("BatchNormalization", "bn", ["c", "scale", "bias", "mean", "var"], ["n"])
            .Node("Relu", "relu", ["n"], ["r"])
            .Node("MaxPool", "pool", ["r"], ["p"], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
            .Node("GlobalAveragePool", "gap", ["p"], ["gp"])
            .Node("Flatten", "flatten", ["gp"], ["f"])
            .Node("Gemm", "fc", ["f", "fc_w", "fc_b"], ["y"], ("transB", 1L))
            .Output("y", -1, 5)
            .Save("opset21_cnn.onnx");
        Assert.Equal(8, Check(path, [3, 8, 8]).Layers.Count);
    }
}
