using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Concat, Flatten, Reshape, Transpose, Pad, Identity, Dropout. The batch axis must stay first and untouched: an
/// operator that would mix samples (flatten the batch into features, transpose it away) is reported, not guessed.
/// </summary>
internal static class ShapeOperators
{
    public static string? CheckConcat(OnnxNode node, OnnxImporter im)
    {
        if (node.Inputs.Any(i => i.Length > 0 && im.IsConstant(i))) return "one of its inputs is a constant; Tanuki imports Concat of computed tensors";
        return null;
    }

    public static SymbolicTensor[] Concat(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor[] xs = node.Inputs.Where(i => i.Length > 0).Select(im.Value).ToArray();
        long axis = node.Int("axis", 1);
        if (axis < 0) axis += xs[0].Rank;
        if (axis <= 0 || axis >= xs[0].Rank)
            throw new NotSupportedException($"{node.Describe()}: concatenation along axis {node.Int("axis", 1)} {(axis == 0 ? "joins batches" : "is out of range")}; Tanuki imports Concat along non-batch axes.");
        if (xs.Length == 1) return [xs[0]];
        return [OnnxImporter.Call(new Concatenate((int)axis, name: im.LayerName(node)), xs)];
    }

    public static string? CheckFlatten(OnnxNode node, OnnxImporter im) => null;

    public static SymbolicTensor[] Flatten(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor x = im.Value(node.Inputs[0]);
        long axis = node.Int("axis", 1);
        if (axis < 0) axis += x.Rank;
        if (axis != 1)
            throw new NotSupportedException($"{node.Describe()}: Flatten with axis={node.Int("axis", 1)} on input {Shapes.Format(x.Shape)} would merge the batch axis with others; Tanuki imports axis=1.");
        return [OnnxImporter.Call(new Layers.Flatten(name: im.LayerName(node)), x)];
    }

    public static string? CheckReshape(OnnxNode node, OnnxImporter im)
    {
        if (im.Opset < 5 || node.Input(1) is null) return "its shape comes from an attribute (opset < 5), which is not imported";
        if (!im.IsConstant(node.Inputs[1])) return "its target shape is computed by the graph; Tanuki imports Reshape to a constant shape";
        return null;
    }

    public static SymbolicTensor[] Reshape(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor x = im.Value(node.Inputs[0]);
        long[] target = im.Constant(node.Inputs[1]).to(ScalarType.Int64).data<long>().ToArray();
        bool allowZero = node.Int("allowzero", 0) != 0;
        string problem = $"{node.Describe()}: reshaping {Shapes.Format(x.Shape)} to [{string.Join(", ", target)}]";
        if (target.Length == 0) throw new NotSupportedException($"{problem} removes the batch axis.");
        if (allowZero && target.Contains(0)) throw new NotSupportedException($"{problem} with allowzero=1 makes an empty tensor.");
        // The first target size is the batch when it copies it (0), is the file's batch size, or is -1 with the rest fixed.
        bool batchFirst = target[0] == 0 || (target[0] == im.FileBatchSize && im.FileBatchSize > 0) || (target[0] == -1 && !target[1..].Contains(-1));
        if (!batchFirst)
            throw new NotSupportedException($"{problem} changes the batch axis (its first size {target[0]} is not the batch); Tanuki imports reshapes that keep the batch first.");
        long[] sample = new long[target.Length - 1];
        for (int i = 1; i < target.Length; i++)
        {
            if (target[i] != 0) { sample[i - 1] = target[i]; continue; }
            if (i >= x.Rank || x.Shape[i] < 0)
                throw new NotSupportedException($"{problem}: a 0 at position {i} copies a size the input does not fix.");
            sample[i - 1] = x.Shape[i];
        }
        if (sample.Count(d => d == -1) > 1) throw new NotSupportedException($"{problem} leaves more than one size open.");
        // With the batch first, a sample must keep its number of values (else the "batch" size would change).
        if (!sample.Contains(-1) && x.Shape[1..].All(d => d >= 0) && Shapes.Product(sample) != Shapes.Product(x.Shape[1..]))
            throw new NotSupportedException($"{problem} changes the batch size (a sample of {Shapes.Product(x.Shape[1..])} values becomes {Shapes.Product(sample)}); Tanuki imports reshapes that keep the batch first.");
        if (sample.SequenceEqual(x.Shape[1..]) && x.Shape[1..].All(d => d > 0)) return [x];
        return [OnnxImporter.Call(new Layers.Reshape(sample, name: im.LayerName(node)), x)];
    }

    public static string? CheckTranspose(OnnxNode node, OnnxImporter im) =>
        node.Ints("perm") is long[] p && p.Length > 0 && p[0] != 0
            ? $"perm [{string.Join(", ", p)}] moves the batch axis; Tanuki imports transposes that keep it first (perm[0] = 0)"
            : null;

    public static SymbolicTensor[] Transpose(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor x = im.Value(node.Inputs[0]);
        long[] perm = node.Ints("perm") ?? Enumerable.Range(0, x.Rank).Reverse().Select(i => (long)i).ToArray();
        if (perm.Length != x.Rank || perm[0] != 0)
            throw new NotSupportedException($"{node.Describe()}: perm [{string.Join(", ", perm)}] on input {Shapes.Format(x.Shape)} moves the batch axis; Tanuki imports transposes that keep it first.");
        if (perm.Select((p, i) => p == i).All(b => b)) return [x];
        return [OnnxImporter.Call(new Permute(perm[1..].Select(p => (int)p).ToArray(), name: im.LayerName(node)), x)];
    }

    private static (long[] Pads, double Value) PadArguments(OnnxNode node, OnnxImporter im)
    {
        if (im.Opset < 11) return (node.Ints("pads") ?? [], node.Float("value", 0));
        long[] pads = im.Constant(node.Inputs[1]).to(ScalarType.Int64).data<long>().ToArray();
        double value = im.OptionalConstant(node, 2) is Tensor v ? v.to(ScalarType.Float64).item<double>() : 0;
        return (pads, value);
    }

    public static string? CheckPad(OnnxNode node, OnnxImporter im)
    {
        if (im.Opset >= 11)
        {
            if (node.Input(1) is not string p || !im.IsConstant(p)) return "its pads are computed by the graph; they must be a constant";
            if (node.Input(2) is string v && !im.IsConstant(v)) return "its constant_value is computed by the graph; it must be a constant";
        }
        string mode = node.String("mode", "constant");
        if (mode is not ("constant" or "reflect" or "edge")) return $"mode \"{mode}\" is not imported (constant, reflect and edge are)";
        long[] pads = PadArguments(node, im).Pads;
        if (pads.Length < 2 || pads.Length % 2 != 0) return $"pads [{string.Join(", ", pads)}] should hold a begin and an end for every axis";
        if (pads[0] != 0 || pads[pads.Length / 2] != 0) return $"pads [{string.Join(", ", pads)}] pad the batch axis";
        return null;
    }

    public static SymbolicTensor[] Pad(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor x = im.Value(node.Inputs[0]);
        var (pads, value) = PadArguments(node, im);
        int rank = pads.Length / 2;
        if (rank != x.Rank) throw new NotSupportedException($"{node.Describe()}: pads [{string.Join(", ", pads)}] are for rank {rank}, but the input has shape {Shapes.Format(x.Shape)}.");
        // ONNX lists all begins, then all ends; the Pad layer takes (before, after) per axis after the batch.
        int[] padding = Enumerable.Range(1, rank - 1).SelectMany(a => new[] { (int)pads[a], (int)pads[a + rank] }).ToArray();
        string mode = node.String("mode", "constant");
        return [OnnxImporter.Call(new Layers.Pad(padding, mode, value, name: im.LayerName(node)), x)];
    }

    public static string? CheckIdentity(OnnxNode node, OnnxImporter im) => null;

    /// <summary>Identity makes no layer: its output is its input.</summary>
    public static SymbolicTensor[] Identity(OnnxNode node, OnnxImporter im) => [im.Value(node.Inputs[0])];

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
    public static SymbolicTensor[] Dropout(OnnxNode node, OnnxImporter im) =>
        [OnnxImporter.Call(new Layers.Dropout(DropoutRate(node, im), name: im.LayerName(node)), im.Value(node.Inputs[0]))];
}
