using Tanuki.Interop;
using Tanuki.Interop.OnnxExport;
using Tanuki.Interop.OnnxImport.Protos;
using Tanuki.Layers;

namespace Tanuki.Tests.Interop;

/// <summary>
/// The form of the exported graph, where ONNX Runtime's speed depends on it. The exporter folds a Transpose that alone
/// reads another Transpose: an imported ConvNeXt block (LayerNormalization
/// over channels, then a Permute to channels-last for its Dense layers) exported a back-and-forth pair that ONNX Runtime
/// ran as written. ONNX Runtime's outputs are the reference: folding moves values, so they must not change.
/// </summary>
public class OnnxExportGraphFormTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static int Transposes(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Node.Count(n => n.OpType == "Transpose");

    private static long[] Perm(NodeProto node) => node.Attribute.Single(a => a.Name == "perm").Ints.ToArray();

    [Fact]
    public void ABackAndForthPairDisappearsAndTheOutputsStay()
    {
        TanukiInfo.SetRandomSeed(3);
        // LayerNormalization over channels exports as Transpose(to last) → LayerNormalization → Transpose(back); the Permute
        // after it transposes to channels-last again: back then forward is the identity.
        var model = new Sequential(new Input(4, 5, 6), new LayerNormalization(axis: [1]), new Permute([2, 3, 1]), new Dense(3));
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(2, 4, 5, 6);
        string path = _dir.File("ln_permute.onnx");
        OnnxExportRunner.ExportAndCompare(model, [x], path, "LayerNormalization(channels) → Permute → Dense");
        Assert.Equal(1, Transposes(path));     // 3 written, the pair folded away
    }

    [Fact]
    public void TwoPermutationsThatDoNotCancelBecomeOne()
    {
        TanukiInfo.SetRandomSeed(4);
        var model = new Sequential(new Input(2, 3, 4), new Permute([2, 3, 1]), new Permute([2, 1, 3]), new Dense(2));
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(2, 2, 3, 4);
        string path = _dir.File("two_permutes.onnx");
        OnnxExportRunner.ExportAndCompare(model, [x], path, "Permute → Permute → Dense");
        NodeProto only = Assert.Single(ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Node, n => n.OpType == "Transpose");
        Assert.Equal([0L, 3, 2, 1], Perm(only));   // (0,2,3,1) then (0,2,1,3)
    }

    [Fact]
    public void APairWhoseMiddleValueHasAnotherReaderIsLeftAlone()
    {
        var graph = new GraphProto();
        graph.Node.Add(new NodeProto { OpType = "Transpose", Input = { "x" }, Output = { "a" }, Attribute = { OnnxAttributes.Ints("perm", 0, 2, 3, 1) } });
        graph.Node.Add(new NodeProto { OpType = "Transpose", Input = { "a" }, Output = { "b" }, Attribute = { OnnxAttributes.Ints("perm", 0, 3, 1, 2) } });
        graph.Node.Add(new NodeProto { OpType = "Relu", Input = { "a" }, Output = { "c" } });
        graph.Output.Add(new ValueInfoProto { Name = "b" });
        graph.Output.Add(new ValueInfoProto { Name = "c" });
        Assert.Equal(0, TransposeFolding.Fold(graph));
        Assert.Equal(3, graph.Node.Count);
    }

    [Fact]
    public void APairEndingInAGraphOutputKeepsTheOutputsName()
    {
        var graph = new GraphProto();
        graph.Node.Add(new NodeProto { OpType = "Transpose", Input = { "x" }, Output = { "a" }, Attribute = { OnnxAttributes.Ints("perm", 0, 2, 3, 1) } });
        graph.Node.Add(new NodeProto { OpType = "Transpose", Input = { "a" }, Output = { "y" }, Attribute = { OnnxAttributes.Ints("perm", 0, 3, 1, 2) } });
        graph.Output.Add(new ValueInfoProto { Name = "y" });
        Assert.Equal(1, TransposeFolding.Fold(graph));
        NodeProto only = Assert.Single(graph.Node);
        Assert.Equal(["x"], only.Input);
        Assert.Equal(["y"], only.Output);
        Assert.Equal([0L, 1, 2, 3], Perm(only));   // an identity Transpose names the output
    }

    [Fact]
    public void GeluIsWrittenInTheFormOnnxRuntimeFuses()
    {
        // ONNX Runtime's GeluFusion matches PyTorch's export: Div(x, √2) → Erf → Add(1) → Mul with x · 0.5. A Mul by 1/√2
        // computes the same values but runs as five kernels (ConvNeXt-Tiny at 0.87× its original file's speed).
        TanukiInfo.SetRandomSeed(5);
        var model = new Sequential(new Input(6), new Dense(8, activation: "gelu"));
        using var scope = torch.NewDisposeScope();
        string path = _dir.File("gelu.onnx");
        OnnxExportRunner.ExportAndCompare(model, [torch.randn(3, 6)], path, "Dense(gelu)");
        GraphProto graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
        NodeProto div = Assert.Single(graph.Node, n => n.OpType == "Div");
        NodeProto erf = Assert.Single(graph.Node, n => n.OpType == "Erf");
        Assert.Equal(div.Output[0], erf.Input[0]);
        TensorProto divisor = graph.Initializer.Single(t => t.Name == div.Input[1]);
        Assert.Equal(Math.Sqrt(2), BitConverter.ToSingle(divisor.RawData.ToByteArray()), 6);
    }
}
