using Tanuki.Interop;
using Tanuki.Layers;

namespace Tanuki.Tests.Interop;

/// <summary>The importer on models of its own: a small CNN against ONNX Runtime, what the layers hold, and bad input.</summary>
public class OnnxImportTests
{
    /// <summary>
    /// A CNN touching most operators: Conv with asymmetric pads and groups, BatchNormalization, Clip (ReLU6), MaxPool,
    /// Concat, Mul by a constant, GlobalAveragePool, Flatten, Gemm with transB/alpha/beta, Softmax. Fixed batch 1 in
    /// the file; run at batch 3.
    /// </summary>
    private static string SmallCnn()
    {
        var g = new torch.Generator(3);
        Tensor R(params long[] shape) => torch.randn(shape, generator: g);
        return new OnnxGraphBuilder(opset: 13)
            .Input("image", 1, 4, 12, 10)
            .Initializer("w1", R(6, 2, 3, 3)).Initializer("b1", R(6))
            .Initializer("bn_scale", R(6)).Initializer("bn_bias", R(6)).Initializer("bn_mean", R(6)).Initializer("bn_var", R(6).abs() + 0.5)
            .Initializer("clip_min", torch.tensor(0f)).Initializer("clip_max", torch.tensor(6f))
            .Initializer("w2", R(5, 6, 1, 1)).Initializer("scale", R(1, 11, 1, 1))
            .Initializer("fc_w", R(7, 11)).Initializer("fc_b", R(7))
            .Node("Conv", "conv_a", ["image", "w1", "b1"], ["c1"], ("pads", new long[] { 2, 1, 0, 1 }), ("strides", new long[] { 2, 1 }), ("group", 2L))
            .Node("BatchNormalization", "bn_a", ["c1", "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["n1"], ("epsilon", 1e-3f), ("momentum", 0.8f))
            .Node("Clip", "relu6_a", ["n1", "clip_min", "clip_max"], ["r1"])
            .Node("MaxPool", "pool_a", ["r1"], ["p1"], ("kernel_shape", new long[] { 2, 2 }), ("pads", new long[] { 1, 0, 0, 1 }))
            .Node("Conv", "conv_b", ["p1", "w2"], ["c2"], ("auto_pad", "SAME_UPPER"))
            .Node("Concat", "concat", ["p1", "c2"], ["cat"], ("axis", 1L))
            .Node("Mul", "scale_mul", ["cat", "scale"], ["scaled"])
            .Node("GlobalAveragePool", "gap", ["scaled"], ["gp"])
            .Node("Flatten", "flatten", ["gp"], ["flat"], ("axis", 1L))
            .Node("Gemm", "fc", ["flat", "fc_w", "fc_b"], ["logits"], ("transB", 1L), ("alpha", 0.5f), ("beta", 2f))
            .Node("Softmax", "softmax", ["logits"], ["probs"], ("axis", -1L))
            .Output("probs", 1, 7)
            .Save("small_cnn.onnx");
    }

    [Fact]
    public void SmallCnnMatchesOnnxRuntimeAtAnotherBatchSize()
    {
        string path = SmallCnn();
        Model model = Onnx.Import(path);
        Assert.Equal(new long[] { -1, 4, 12, 10 }, model.Inputs[0].Shape);   // the file's batch of 1 is free
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn([3, 4, 12, 10], generator: new torch.Generator(5));
        Tensor actual = model.Call(x);
        // ONNX Runtime runs the file as it is (batch 1), one sample at a time.
        Tensor expected = torch.cat(Enumerable.Range(0, 3).Select(i => OnnxRuntimeReference.Run(path, ("image", x[i..(i + 1)]))[0]).ToArray(), 0);
        TensorAssert.Close(expected, actual, atol: 1e-6, rtol: 1e-4);
    }

    [Fact]
    public void LayersAreOrdinaryAndHoldTheFilesWeightsUnderReadableNames()
    {
        Model model = Onnx.Import(SmallCnn());
        Assert.Equal(new[] { "image", "conv_a", "bn_a", "relu6_a", "pool_a", "conv_b", "concat", "scale_mul", "gap", "flatten", "fc", "softmax" },
                     model.Layers.Select(l => l.Name));
        var conv = Assert.IsType<Conv2D>(model.GetLayer("conv_a"));
        Assert.Equal(new[] { "conv_a/kernel", "conv_a/bias" }, conv.Weights.Select(w => w.Path));
        var bn = Assert.IsType<BatchNormalization>(model.GetLayer("bn_a"));
        Assert.Equal(new[] { "gamma", "beta" }, bn.TrainableWeights.Select(w => w.Name));
        Assert.Equal(new[] { "moving_mean", "moving_variance" }, bn.NonTrainableWeights.Select(w => w.Name));
        Assert.Equal(0.8, bn.Momentum, 6);      // ONNX's momentum has Keras's meaning
        Assert.Equal(1e-3, bn.Epsilon, 9);
        Assert.IsType<ReLU>(model.GetLayer("relu6_a"));
        var dense = Assert.IsType<Dense>(model.GetLayer("fc"));
        Assert.Equal(new long[] { 11, 7 }, dense.Kernel!.Shape);   // Keras's (in, out)
        var scale = Assert.IsType<ConstantArithmetic>(model.GetLayer("scale_mul"));
        Assert.Empty(scale.TrainableWeights);
        model.Trainable = false;
        Assert.Empty(model.TrainableWeights);
    }

    [Fact]
    public void AnImportedModelSavesAndLoadsLikeAHandBuiltOne()
    {
        Model model = Onnx.Import(SmallCnn());
        string path = Path.Combine(Path.GetTempPath(), $"tanuki-imported-{Environment.ProcessId}.tanuki");
        model.Save(path);
        Model loaded = Model.Load(path);
        File.Delete(path);
        Assert.Equal(model.Layers.Select(l => l.Name), loaded.Layers.Select(l => l.Name));
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn([2, 4, 12, 10], generator: new torch.Generator(6));
        TensorAssert.Equal(model.Call(x), loaded.Call(x));
    }

    [Fact]
    public void OutputsCutTheGraphAndLayerNamesRenameNodes()
    {
        var options = new OnnxImportOptions
        {
            Outputs = ["gp"],
            LayerNames = new Dictionary<string, string> { ["conv_a"] = "stem", ["image"] = "pixels" },
            InputShape = [4, -1, -1],
            Name = "cut",
        };
        Model model = Onnx.Import(SmallCnn(), options);
        Assert.Equal("cut", model.Name);
        Assert.Equal(new long[] { -1, 4, -1, -1 }, model.Inputs[0].Shape);
        Assert.Equal(new[] { "pixels", "stem" }, model.Layers.Take(2).Select(l => l.Name));
        Assert.DoesNotContain(model.Layers, l => l.Name is "fc" or "softmax");
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 2, 11, 1, 1 }, model.Call(torch.randn(2, 4, 20, 16)).shape);
        var e = Assert.Throws<ArgumentException>(() => Onnx.Import(SmallCnn(), new OnnxImportOptions { Outputs = ["nope"] }));
        Assert.Contains("'nope' is not a tensor", e.Message);
    }

    [Fact]
    public void SameUpperOnAFreeInputSizeBecomesSamePadding()
    {
        string path = new OnnxGraphBuilder()
            .Input("x", 1, 2, 9, 7)
            .Initializer("w", torch.randn([3, 2, 3, 3], generator: new torch.Generator(8)))
            .Node("Conv", "conv", ["x", "w"], ["c"], ("auto_pad", "SAME_UPPER"), ("strides", new long[] { 2, 2 }))
            .Node("MaxPool", "pool", ["c"], ["p"], ("auto_pad", "SAME_UPPER"), ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }))
            .Output("p", 1, 3, 3, 2)
            .Save("same_upper.onnx");
        Model model = Onnx.Import(path, new OnnxImportOptions { InputShape = [2, -1, -1] });
        Assert.Equal("same", Assert.IsType<Conv2D>(model.GetLayer("conv")).Padding);
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn([1, 2, 9, 7], generator: new torch.Generator(9));
        TensorAssert.Close(OnnxRuntimeReference.Run(path, ("x", x))[0], model.Call(x), atol: 1e-5, rtol: 1e-5);
        // At its own size the pads are computed at import, and explicit.
        Assert.NotNull(Assert.IsType<Conv2D>(Onnx.Import(path).GetLayer("conv")).ExplicitPadding);
    }

    [Fact]
    public void MatMulThenBiasAddBecomesOneDenseWithATrainableBias()
    {
        var g = new torch.Generator(4);
        string path = new OnnxGraphBuilder()
            .Input("x", 1, 5, 6)
            .Initializer("w", torch.randn([6, 4], generator: g)).Initializer("b", torch.randn([4], generator: g))
            .Node("MatMul", "linear", ["x", "w"], ["m"])
            .Node("Add", "linear_bias", ["m", "b"], ["y"])
            .Output("y", 1, 5, 4)
            .Save("matmul_add.onnx");
        Model model = Onnx.Import(path);
        var dense = Assert.IsType<Dense>(Assert.Single(model.Layers.Skip(1)));
        Assert.Equal(new[] { "linear/kernel", "linear/bias" }, dense.TrainableWeights.Select(w => w.Path));
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn([1, 5, 6], generator: g);
        TensorAssert.Close(OnnxRuntimeReference.Run(path, ("x", x))[0], model.Call(x), atol: 1e-5, rtol: 1e-5);
    }

    [Fact]
    public void MissingFileSaysWhere()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Onnx.Import("/no/such/model.onnx"));
        Assert.Contains("No ONNX model at '/no/such/model.onnx'", e.Message);
    }

    [Fact]
    public void BytesThatAreNotOnnxAreRefused()
    {
        string path = Path.Combine(Path.GetTempPath(), $"tanuki-not-onnx-{Environment.ProcessId}.onnx");
        File.WriteAllText(path, "This is a text file, not a protobuf ONNX model.\n");
        var e = Assert.Throws<InvalidDataException>(() => Onnx.Import(path));
        Assert.Contains("not", e.Message);
        Assert.Contains("ONNX model", e.Message);
        File.WriteAllBytes(path, new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 });   // a PNG header
        Assert.Throws<InvalidDataException>(() => Onnx.Import(path));
        File.WriteAllBytes(path, []);
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => Onnx.Import(path)).Message);
    }

    [Fact]
    public void TruncatedFileIsRefusedAsDamaged()
    {
        byte[] whole = File.ReadAllBytes(SmallCnn());
        foreach (double fraction in new[] { 0.3, 0.7, 0.99 })
        {
            string path = Path.Combine(Path.GetTempPath(), $"tanuki-truncated-{Environment.ProcessId}-{fraction}.onnx");
            File.WriteAllBytes(path, whole[..(int)(whole.Length * fraction)]);
            var e = Assert.Throws<InvalidDataException>(() => Onnx.Import(path));
            Assert.True(e.Message.Contains("damaged", StringComparison.Ordinal) || e.Message.Contains("cut short", StringComparison.Ordinal), e.Message);
        }
    }

    [Fact]
    public void UnsupportedOperatorsAreAllListedWithTheirNodesBeforeAnyLayerIsMade()
    {
        // The Gemm's B does not fit the 144 features before it: converting it would fail. The one error listing the
        // unsupported operators must come first, so no conversion has started.
        string path = new OnnxGraphBuilder()
            .Input("x", 1, 3, 8, 8)
            .Initializer("w", torch.randn(4, 3, 3, 3)).Initializer("b", torch.randn(7, 10))
            .Node("Conv", "conv", ["x", "w"], ["c"])
            .Node("Flatten", "flat", ["c"], ["f"])
            .Node("Gemm", "misfit", ["f", "b"], ["g"])
            .Node("Resize", "upsample", ["g"], ["u"])
            .Node("Erf", "erf_1", ["u"], ["e1"])
            .Node("Erf", "erf_2", ["e1"], ["e2"])
            .Node("LayerNormalization", "bad_norm", ["e2", "x"], ["t"])
            .Output("t", 10, 1)
            .Save("unsupported.onnx");
        var e = Assert.Throws<NotSupportedException>(() => Onnx.Import(path));
        Assert.StartsWith("Cannot import '", e.Message);
        Assert.Contains("Resize (node 'upsample')", e.Message);
        Assert.Contains("Erf (nodes 'erf_1', 'erf_2')", e.Message);
        Assert.Contains("LayerNormalization 'bad_norm': its scale is computed by the graph", e.Message);
        Assert.Contains("Supported operators:", e.Message);
        Assert.DoesNotContain("misfit", e.Message);
    }

    [Fact]
    public void OpsetsOutsideSevenToTwentyOneAreExplained()
    {
        string path = new OnnxGraphBuilder(opset: 22).Input("x", 1, 3).Node("Relu", "r", ["x"], ["y"]).Output("y", 1, 3).Save("opset22.onnx");
        Assert.Contains("operator set 22; Tanuki imports opsets 7 to 21", Assert.Throws<NotSupportedException>(() => Onnx.Import(path)).Message);
        string old = new OnnxGraphBuilder(opset: 6).Input("x", 1, 3).Initializer("c", torch.ones(3)).Node("Add", "a", ["x", "c"], ["y"]).Output("y", 1, 3).Save("opset6.onnx");
        Assert.Contains("Add changed meaning before opset 7", Assert.Throws<NotSupportedException>(() => Onnx.Import(old)).Message);
        string oldOk = new OnnxGraphBuilder(opset: 1).Input("x", 1, 3).Node("Relu", "r", ["x"], ["y"]).Output("y", 1, 3).Save("opset1.onnx");
        Assert.IsType<ReLU>(Onnx.Import(oldOk).GetLayer("r"));
    }
}
