using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// LayerNormalization (opset 17) → <see cref="Layers.LayerNormalization"/> over the tensor axes that hold the ONNX
/// axes it normalizes; ReduceMean over the spatial axes of N×C×H×W → <see cref="GlobalAveragePooling2D"/>. The
/// decomposed LayerNormalization of earlier opsets is found by <see cref="OnnxFusions"/> and made here too.
/// </summary>
internal static class NormalizationOperators
{
    public static string? CheckLayerNormalization(OnnxNode node, OnnxImporter im)
    {
        for (int i = 1; i <= 2; i++)
            if (node.Input(i) is string s && !im.IsConstant(s)) return $"its {(i == 1 ? "scale" : "bias")} is computed by the graph; it must be an initializer";
        if (im.IsOutputUsed(node, 1) || im.IsOutputUsed(node, 2)) return "its Mean or InvStdDev output is used by the graph; Tanuki imports the normalized values only";
        return null;
    }

    public static OnnxLayout[] LayerNormalization(OnnxNode node, OnnxImporter im)
    {
        int rank = im.Layout(node.Inputs[0]).Rank;
        long axis = node.Int("axis", -1);
        if (axis < 0) axis += rank;
        int[] axes = Enumerable.Range((int)axis, rank - (int)axis).ToArray();
        return [Make([node], im, node.Inputs[0], axes, node.Float("epsilon", 1e-5f), im.OptionalConstant(node, 1), im.OptionalConstant(node, 2))];
    }

    /// <summary>
    /// A LayerNormalization layer on the tensor <paramref name="input"/> over its ONNX axes <paramref name="axes"/>;
    /// <paramref name="scale"/> and <paramref name="bias"/> broadcast against those axes (null: none).
    /// </summary>
    public static OnnxLayout Make(OnnxNode[] nodes, OnnxImporter im, string input, int[] axes, double epsilon, Tensor? scale, Tensor? bias)
    {
        OnnxNode node = nodes[^1];
        OnnxLayout x = im.Layout(input);
        if (axes.Length == 0 || axes.Any(a => a < 0 || a >= x.Rank || x.Groups[a].Contains(0)))
            throw new NotSupportedException($"{node.Describe()}: normalizing axes [{string.Join(", ", axes)}] of ONNX shape {x.FormatShape()} mixes the samples of a batch or is out of range.");
        x = im.Merge(input, axes);
        int[] tensorAxes = axes.Select(a => x.Groups[a][0]).ToArray();
        long[] sizes = axes.Select(a => x.Tensor.Shape[x.Groups[a][0]]).ToArray();
        // ONNX's scale and bias are shaped like the normalized ONNX axes; the layer's gamma and beta follow its axes in tensor order.
        long[] order = Enumerable.Range(0, axes.Length).OrderBy(i => tensorAxes[i]).Select(i => (long)i).ToArray();
        Tensor? Weight(Tensor? w) => w?.to(ScalarType.Float32).expand(sizes).permute(order).contiguous();
        Tensor? gamma = Weight(scale), beta = Weight(bias);
        var layer = new Layers.LayerNormalization(tensorAxes, epsilon, center: beta is not null, scale: gamma is not null, name: im.LayerName(nodes));
        SymbolicTensor y = OnnxImporter.Call(layer, x.Tensor);
        if (gamma is not null) OnnxImporter.SetWeight(layer, "gamma", gamma, node);
        if (beta is not null) OnnxImporter.SetWeight(layer, "beta", beta, node);
        return x.On(y);
    }

    private static long[] ReduceAxes(OnnxNode node, OnnxImporter im) =>
        im.Opset < 18 ? node.Ints("axes") ?? [] : node.Input(1) is string a ? im.Constant(a).to(ScalarType.Int64).data<long>().ToArray() : [];

    public static string? CheckReduceMean(OnnxNode node, OnnxImporter im)
    {
        if (im.Opset >= 18 && node.Input(1) is string a && !im.IsConstant(a)) return "its axes are computed by the graph; they must be a constant";
        long[] axes = ReduceAxes(node, im).Order().ToArray();
        if (axes.Length == 0 && node.Int("noop_with_empty_axes", 0) != 0) return null;
        return axes.SequenceEqual([2L, 3L]) || axes.SequenceEqual([-2L, -1L]) ? null
            : $"the mean over axes [{string.Join(", ", ReduceAxes(node, im))}] is not imported; Tanuki imports ReduceMean over the spatial axes of N×C×H×W (global average pooling) and as part of a LayerNormalization";
    }

    /// <summary>The mean over the spatial axes of N×C×H×W: global average pooling, keeping the axes or not.</summary>
    public static OnnxLayout[] ReduceMean(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout x = im.Layout(node.Inputs[0]);
        // Opset 18: no axes means every axis, or none with noop_with_empty_axes.
        if (ReduceAxes(node, im).Length == 0 && node.Int("noop_with_empty_axes", 0) != 0) return [x];
        long[] axes = ReduceAxes(node, im).Select(a => a < 0 ? a + x.Rank : a).Order().ToArray();
        bool keepDims = node.Int("keepdims", 1) != 0;
        if (x.Rank != 4 || !axes.SequenceEqual([2L, 3L]) || x.BatchAxis != 0)
            throw new NotSupportedException($"{node.Describe()}: the mean over axes [{string.Join(", ", ReduceAxes(node, im))}] of ONNX shape {x.FormatShape()} is not imported; " +
                                            "Tanuki imports ReduceMean over the spatial axes of N×C×H×W (global average pooling) and as part of a LayerNormalization.");
        return [OnnxImporter.Call(new GlobalAveragePooling2D(keepDims: keepDims, name: im.LayerName(node)), im.Value(node.Inputs[0]))];
    }
}
