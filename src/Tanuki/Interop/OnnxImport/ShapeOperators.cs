using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Concat, Flatten, Pad, Identity, Dropout. The batch axis must stay whole: an operator that would mix samples
/// (concatenate or pad along the batch) is reported, not guessed. Reshape, Transpose and their kin are in
/// <see cref="ReshapeOperators"/>; Slice, Split and Gather in <see cref="SliceOperators"/>.
/// </summary>
internal static class ShapeOperators
{
    public static string? CheckConcat(OnnxNode node, OnnxImporter im) => null;

    /// <summary>
    /// Concatenate of the computed inputs; constant inputs (a class token, possibly Expanded along the batch) join
    /// the computed input before or after them as <see cref="ConstantConcatenate"/>.
    /// </summary>
    public static OnnxLayout[] Concat(OnnxNode node, OnnxImporter im)
    {
        string[] names = node.Inputs.Where(i => i.Length > 0).ToArray();
        OnnxLayout first = im.Normal(names.First(n => !im.IsConstant(n)));
        int rank = first.Rank, b = first.BatchAxis;
        long axis = node.Int("axis", 1);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank || axis == b)
            throw new NotSupportedException($"{node.Describe()}: concatenation along axis {node.Int("axis", 1)} of ONNX shape {first.FormatShape()} {(axis == b ? "joins batches" : "is out of range")}; Tanuki imports Concat along non-batch axes.");
        int tensorAxis = (int)(axis < b ? axis + 1 : axis);       // the normal form puts the batch first, the rest in order
        var pieces = new List<SymbolicTensor>();
        var leading = new List<Tensor>();
        int part = 0;
        string Name() => part++ == 0 ? im.LayerName(node) : im.LayerName(node, $"{part}");
        foreach (string n in names)
        {
            if (im.IsConstant(n))
            {
                Tensor c = SampleConstant(node, im.Constant(n, batchBroadcast: true), rank, b);
                if (pieces.Count == 0) leading.Add(c);
                else pieces[^1] = JoinConstant(pieces[^1], c, tensorAxis, constantFirst: false, Name());
                continue;
            }
            OnnxLayout x = im.Normal(n);
            if (x.Rank != rank || x.BatchAxis != b)
                throw new NotSupportedException($"{node.Describe()}: its inputs' ONNX shapes {first.FormatShape()} and {x.FormatShape()} hold the batch on different axes.");
            pieces.Add(x.Tensor);
        }
        for (int i = leading.Count - 1; i >= 0; i--) pieces[0] = JoinConstant(pieces[0], leading[i], tensorAxis, constantFirst: true, Name());
        SymbolicTensor y = pieces.Count == 1 ? pieces[0] : OnnxImporter.Call(new Concatenate(tensorAxis, name: Name()), [.. pieces]);
        return [first.On(y)];
    }

    /// <summary>A constant operand as one sample of the normal form (batch axis <paramref name="b"/> of size 1, dropped).</summary>
    private static Tensor SampleConstant(OnnxNode node, Tensor c, int rank, int b)
    {
        if (c.dim() != rank || c.shape[b] != 1)
            throw new NotSupportedException($"{node.Describe()}: its constant of shape {Shapes.Format(c.shape)} does not broadcast over the batch (axis {b} of a rank-{rank} tensor).");
        return c.movedim([b], [0])[0].to(ScalarType.Float32).contiguous();
    }

    private static SymbolicTensor JoinConstant(SymbolicTensor x, Tensor c, int axis, bool constantFirst, string name)
    {
        var layer = new ConstantConcatenate(axis, c.shape, constantFirst, name);
        SymbolicTensor y = OnnxImporter.Call(layer, x);
        layer.Constant!.Assign(c);
        return y;
    }

    public static string? CheckFlatten(OnnxNode node, OnnxImporter im) => null;

    /// <summary>Flatten(axis=1) of a batch-first tensor is a <see cref="Layers.Flatten"/> layer; other flattens only regroup axes.</summary>
    public static OnnxLayout[] Flatten(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout x = im.Layout(node.Inputs[0]);
        long axis = node.Int("axis", 1);
        if (axis < 0) axis += x.Rank;
        if (axis < 0 || axis > x.Rank)
            throw new NotSupportedException($"{node.Describe()}: axis {node.Int("axis", 1)} is out of range for ONNX shape {x.FormatShape()}.");
        if (axis == 1 && x.BatchAxis == 0 && x.Groups[0].Length == 1)
            return [OnnxImporter.Call(new Layers.Flatten(name: im.LayerName(node)), im.Value(node.Inputs[0]))];
        int[] outer = x.Groups[..(int)axis].SelectMany(g => g).ToArray(), inner = x.Groups[(int)axis..].SelectMany(g => g).ToArray();
        return [x.With([outer, inner])];
    }

    /// <summary>The pads for every axis (ONNX's order: all begins, then all ends) and the fill value.</summary>
    private static (long[] Pads, double Value) PadArguments(OnnxNode node, OnnxImporter im, int rank)
    {
        if (im.Opset < 11) return (node.Ints("pads") ?? [], node.Float("value", 0));
        long[] pads = im.Constant(node.Inputs[1]).to(ScalarType.Int64).data<long>().ToArray();
        double value = im.OptionalConstant(node, 2) is Tensor v ? v.to(ScalarType.Float64).item<double>() : 0;
        if (im.OptionalConstant(node, 3) is Tensor a)
        {
            // Opset 18: pads for the listed axes only; the others get none.
            long[] axes = a.to(ScalarType.Int64).data<long>().Select(x => x < 0 ? x + rank : x).ToArray();
            if (pads.Length != 2 * axes.Length || axes.Any(x => x < 0 || x >= rank))
                throw new NotSupportedException($"{node.Describe()}: pads [{string.Join(", ", pads)}] do not fit axes [{string.Join(", ", axes)}] of a rank-{rank} input.");
            var full = new long[2 * rank];
            for (int i = 0; i < axes.Length; i++) (full[axes[i]], full[axes[i] + rank]) = (pads[i], pads[i + axes.Length]);
            pads = full;
        }
        return (pads, value);
    }

    public static string? CheckPad(OnnxNode node, OnnxImporter im)
    {
        if (im.Opset >= 11)
        {
            if (node.Input(1) is not string p || !im.IsConstant(p)) return "its pads are computed by the graph; they must be a constant";
            if (node.Input(2) is string v && !im.IsConstant(v)) return "its constant_value is computed by the graph; it must be a constant";
            if (node.Input(3) is string a && !im.IsConstant(a)) return "its axes are computed by the graph; they must be a constant";
        }
        string mode = node.String("mode", "constant");
        if (mode is not ("constant" or "reflect" or "edge")) return $"mode \"{mode}\" is not imported (constant, reflect and edge are)";
        if (node.Input(3) is not null) return null;     // pads for some axes: checked with the input's rank, when converted
        long[] pads = PadArguments(node, im, 0).Pads;
        if (pads.Length < 2 || pads.Length % 2 != 0) return $"pads [{string.Join(", ", pads)}] should hold a begin and an end for every axis";
        if (pads[0] != 0 || pads[pads.Length / 2] != 0) return $"pads [{string.Join(", ", pads)}] pad the batch axis";
        return null;
    }

    public static OnnxLayout[] Pad(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor x = im.Value(node.Inputs[0]);
        var (pads, value) = PadArguments(node, im, x.Rank);
        int rank = pads.Length / 2;
        if (rank != x.Rank) throw new NotSupportedException($"{node.Describe()}: pads [{string.Join(", ", pads)}] are for rank {rank}, but the input has shape {Shapes.Format(x.Shape)}.");
        if (pads[0] != 0 || pads[rank] != 0) throw new NotSupportedException($"{node.Describe()}: pads [{string.Join(", ", pads)}] pad the batch axis.");
        // ONNX lists all begins, then all ends; the Pad layer takes (before, after) per axis after the batch.
        int[] padding = Enumerable.Range(1, rank - 1).SelectMany(a => new[] { (int)pads[a], (int)pads[a + rank] }).ToArray();
        string mode = node.String("mode", "constant");
        return [OnnxImporter.Call(new Layers.Pad(padding, mode, value, name: im.LayerName(node)), x)];
    }

    public static string? CheckIdentity(OnnxNode node, OnnxImporter im) => null;

    /// <summary>Identity makes no layer: its output is its input.</summary>
    public static OnnxLayout[] Identity(OnnxNode node, OnnxImporter im) => [im.Layout(node.Inputs[0])];

    private static double DropoutRate(OnnxNode node, OnnxImporter im) =>
        im.Opset < 12 ? node.Float("ratio", 0.5f) : im.OptionalConstant(node, 1) is Tensor r ? r.to(ScalarType.Float64).item<double>() : 0.5;

    public static string? CheckDropout(OnnxNode node, OnnxImporter im)
    {
        if (im.IsOutputUsed(node, 1)) return "its mask output is used by the graph; Tanuki imports the values only";
        if (im.Opset >= 12)
        {
            if (node.Input(1) is string r && !im.IsConstant(r)) return "its ratio is computed by the graph; it must be a constant";
            if (node.Input(2) is string t && (!im.IsConstant(t) || im.Constant(t).to(ScalarType.Int64).item<long>() != 0))
                return "its training_mode input is true or computed; Tanuki's Dropout follows the model's training flag instead";
        }
        double rate = DropoutRate(node, im);
        return rate is >= 0 and < 1 ? null : $"ratio {rate} is outside [0, 1)";
    }

    /// <summary>Dropout keeps Keras's meaning: identity in inference (ONNX's behaviour), active when fine-tuning.</summary>
    public static OnnxLayout[] Dropout(OnnxNode node, OnnxImporter im) =>
        [im.Unary(node, new Layers.Dropout(DropoutRate(node, im), name: im.LayerName(node)))];
}
