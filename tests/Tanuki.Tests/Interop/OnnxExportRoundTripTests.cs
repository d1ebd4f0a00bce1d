using System.Text.Json;
using Tanuki.Applications;
using Tanuki.Interop;

namespace Tanuki.Tests.Interop;

/// <summary>
/// ONNX → Tanuki → ONNX → Tanuki on whole architectures: the re-imported model has the same layers (names, types,
/// configs) and bit-identical weights and outputs, the second export is byte for byte the first, and ONNX Runtime on the
/// exported file gives what Tanuki's Predict gives on the imported model.
/// </summary>
public class OnnxExportRoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// The ONNX files the round trip runs on, by name. Every layer type the importer makes is in one of them. When the
    /// importer takes more architectures (torchvision's), add their files here.
    /// </summary>
    private static readonly Dictionary<string, Func<string>> s_architectures = new()
    {
        ["small_cnn"] = SmallCnn,
        ["importer_operators"] = ImporterOperators,
        ["resnet18_cntk"] = () => ResNet18Files.FindModel(null),
    };

    public static TheoryData<string> Architectures()
    {
        var data = new TheoryData<string>();
        foreach (string name in s_architectures.Keys) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void ImportExportImportIsStable(string name)
    {
        Model first = Onnx.Import(s_architectures[name]());
        string exported = _dir.File(name + ".onnx"), again = _dir.File(name + "_again.onnx");
        first.ExportOnnx(exported);
        Model second = Onnx.Import(exported);

        Assert.Equal(Describe(first), Describe(second));
        Assert.Equal(first.Weights.Select(w => w.Path), second.Weights.Select(w => w.Path));
        foreach (var (a, b) in first.Weights.Zip(second.Weights)) Assert.True(TensorAssert.BitEqual(a.Value, b.Value), $"weight {a.Path} changed");

        using var scope = torch.NewDisposeScope();
        long[] sample = first.Inputs[0].Shape[1..];
        Tensor x = torch.randn([2, .. sample], generator: new torch.Generator(17));
        Tensor expected = first.Predict(x);
        TensorAssert.Equal(expected, second.Predict(x));
        OnnxExportRunner.AssertClose(expected, OnnxExportRunner.Run(exported, [x])[0], name);

        second.ExportOnnx(again);
        Assert.True(File.ReadAllBytes(exported).AsSpan().SequenceEqual(File.ReadAllBytes(again)), "the second export differs from the first");
    }

    /// <summary>The architectures above hold every layer type the importer makes (see OnnxOperators), so each is round-tripped.</summary>
    [Fact]
    public void TheArchitecturesHoldEveryLayerTypeTheImporterMakes()
    {
        string[] importerMakes =
        [
            "InputLayer", "Conv2D", "BatchNormalization", "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
            "ReLU", "Activation", "Clip", "Softmax", "Add", "Subtract", "Multiply", "Divide", "ConstantArithmetic", "Dense", "Concatenate",
            "Flatten", "Reshape", "Permute", "Pad", "Dropout",
        ];
        var held = s_architectures.Where(a => a.Key != "resnet18_cntk").SelectMany(a => Onnx.Import(a.Value()).Layers).Select(l => l.GetType().Name).ToHashSet();
        string[] missing = importerMakes.Where(t => !held.Contains(t)).ToArray();
        Assert.True(missing.Length == 0, $"no architecture holds: {string.Join(", ", missing)}");
    }

    /// <summary>Each layer call's type, config (name included) and the tensors it reads, in order, as lines.</summary>
    internal static string[] Describe(Model model) =>
        model.FunctionalGraph!.Nodes.Select(n =>
            $"{n.Layer.GetType().Name} {JsonSerializer.Serialize(n.Layer.GetConfig())} <- {string.Join(", ", n.Inputs.Select(t => t.Name))}").ToArray();

    /// <summary>Conv with asymmetric pads and groups, BatchNormalization, Clip(0, 6), MaxPool, Concat, Mul by a constant, GlobalAveragePool, Flatten, Gemm.</summary>
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
            .Output("logits", 1, 7)
            .Save("round_trip_small_cnn.onnx");
    }

    /// <summary>
    /// The other operators the importer makes layers of: Div and Sub by constants (either side), LeakyRelu, Pad (reflect),
    /// AveragePool counting pads in ceil mode, Sigmoid, Tanh, Mul, Sub, Div and Add of computed tensors, Clip, Transpose,
    /// MatMul + Add past rank 2 (one Dense), Dropout, Reshape, GlobalMaxPool, Identity, Concat, Softmax.
    /// </summary>
    private static string ImporterOperators()
    {
        var g = new torch.Generator(5);
        Tensor R(params long[] shape) => torch.randn(shape, generator: g);
        return new OnnxGraphBuilder(opset: 13)
            .Input("x", 1, 3, 8, 8)
            .Initializer("two", torch.tensor(2f)).Initializer("w1", R(4, 3, 3, 3)).Initializer("b1", R(4))
            .Ints("reflect_pads", 0, 0, 1, 1, 0, 0, 1, 1).Initializer("one", torch.tensor(1f))
            .Initializer("lo", torch.tensor(-0.5f)).Initializer("hi", torch.tensor(0.4f))
            .Initializer("wm", R(4, 6)).Initializer("bm", R(6)).Initializer("ratio", torch.tensor(0.3f))
            .Ints("flat", 0, -1).Initializer("offsets", R(54)).Initializer("wg", R(3, 58)).Initializer("bg", R(3))
            .Node("Div", "halve", ["x", "two"], ["x2"])
            .Node("Conv", "conv", ["x2", "w1", "b1"], ["c1"], ("pads", new long[] { 1, 1, 1, 1 }))
            .Node("LeakyRelu", "leaky", ["c1"], ["l1"], ("alpha", 0.1f))
            .Node("Pad", "reflect", ["l1", "reflect_pads"], ["p1"], ("mode", "reflect"))
            .Node("AveragePool", "avg", ["p1"], ["a1"], ("kernel_shape", new long[] { 3, 3 }), ("strides", new long[] { 2, 2 }),
                  ("pads", new long[] { 1, 1, 1, 1 }), ("count_include_pad", 1L))
            .Node("MaxPool", "max_ceil", ["a1"], ["m1"], ("kernel_shape", new long[] { 2, 2 }), ("strides", new long[] { 2, 2 }), ("ceil_mode", 1L))
            .Node("Sigmoid", "sig", ["m1"], ["s1"])
            .Node("Tanh", "tanh", ["m1"], ["t1"])
            .Node("Mul", "product", ["s1", "t1"], ["mul"])
            .Node("Sub", "difference", ["mul", "t1"], ["sub"])
            .Node("Add", "plus_one", ["s1", "one"], ["s1p"])
            .Node("Add", "total", ["sub", "mul"], ["tot"])
            .Node("Div", "quotient", ["tot", "s1p"], ["div"])
            .Node("Clip", "clip", ["div", "lo", "hi"], ["cl"])
            .Node("Transpose", "channels_last", ["cl"], ["tr"], ("perm", new long[] { 0, 2, 3, 1 }))
            .Node("MatMul", "project", ["tr", "wm"], ["mm"])
            .Node("Add", "project_bias", ["mm", "bm"], ["ad"])
            .Node("Dropout", "drop", ["ad", "ratio"], ["dr"])
            .Node("Reshape", "flatten", ["dr", "flat"], ["rs"])
            .Node("Sub", "from_offsets", ["offsets", "rs"], ["sc"])
            .Node("GlobalMaxPool", "gmp", ["cl"], ["gm"])
            .Node("Flatten", "flatten_gmp", ["gm"], ["fl"], ("axis", 1L))
            .Node("Concat", "join", ["sc", "fl"], ["cat"], ("axis", 1L))
            .Node("Identity", "same", ["cat"], ["id"])
            .Node("Gemm", "fc", ["id", "wg", "bg"], ["logits"], ("transB", 1L))
            .Node("Softmax", "softmax", ["logits"], ["probs"], ("axis", -1L))
            .Output("probs", 1, 3)
            .Save("round_trip_importer_operators.onnx");
    }
}
