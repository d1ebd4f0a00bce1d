using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Reshape, Transpose, Squeeze, Unsqueeze, Expand of computed tensors: they change how the tensor's axes are grouped
/// into ONNX axes (<see cref="OnnxLayout"/>) and make a layer only to split an axis. Their shapes may come from the
/// graph's shape arithmetic, as long as that depends on the batch size only through the batch axis.
/// </summary>
internal static class ReshapeOperators
{
    public static string? CheckReshape(OnnxNode node, OnnxImporter im)
    {
        if (im.Opset < 5 || node.Input(1) is null) return "its shape comes from an attribute (opset < 5), which is not imported";
        if (!im.IsConstant(node.Inputs[1])) return "its target shape is computed from the values of the model's tensors, not only from their shapes and constants";
        return null;
    }

    public static OnnxLayout[] Reshape(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout x = im.Layout(node.Inputs[0]);
        OnnxDim[] target = im.Dims(node.Inputs[1]);
        bool allowZero = node.Int("allowzero", 0) != 0;
        string problem = $"reshaping {x.FormatShape()} to ({string.Join(", ", target)})";
        if (target.Length == 0) throw new NotSupportedException($"{problem} removes the batch axis.");
        if (allowZero && target.Contains(OnnxDim.Known(0))) throw new NotSupportedException($"{problem} with allowzero=1 makes an empty tensor.");
        // A fixed target shape from a file exported with a fixed batch size: that size, first, is the batch.
        if (target[0].IsKnown && target[0].Value == im.FileBatchSize && im.FileBatchSize > 0 && x.Dim(0) == OnnxDim.Batch)
            target[0] = OnnxDim.Batch;
        OnnxDim[] dims = x.OnnxShape;
        for (int i = 0; i < target.Length; i++)
        {
            if (target[i] != OnnxDim.Known(0)) continue;
            if (i >= dims.Length) throw new NotSupportedException($"{problem}: a 0 at position {i} copies an axis the input does not have.");
            target[i] = dims[i];
        }
        int open = Array.IndexOf(target, OnnxDim.Known(-1));
        if (target.Count(d => d == OnnxDim.Known(-1)) > 1) throw new NotSupportedException($"{problem} leaves more than one size open.");
        if (open >= 0)
        {
            OnnxDim total = dims.Aggregate(OnnxDim.Known(1), (p, d) => p * d);
            OnnxDim rest = target.Where((_, i) => i != open).Aggregate(OnnxDim.Known(1), (p, d) => p * d);
            target[open] = OnnxDim.Divide(total, rest);
            if (target[open].IsUnknown && total.IsBatchMultiple)
                throw new NotSupportedException($"{problem}: its -1 would be a fraction of the batch; Tanuki imports reshapes that keep the batch whole.");
        }
        if (target.Any(d => d.IsKnown && d.Value < 1)) throw new NotSupportedException($"{problem}: sizes must be positive.");
        try { return [OnnxLayouts.Reshape(x, target, im.MaterializedNamer(node.Outputs[0]))]; }
        catch (NotSupportedException) when (SampleReshape(x, target) is int batchAxis)
        {
            // Not a split or merge of axes ((N, 3, 4) → (N, 4, 3)): the samples are reshaped as a whole.
            OnnxLayout normal = im.Normal(node.Inputs[0]);
            long[] sample = target.Where((_, i) => i != batchAxis).Select(d => d.Value).ToArray();
            SymbolicTensor y = OnnxImporter.Call(new Layers.Reshape(sample, im.MaterializedNamer(node.Outputs[0])("reshape")), normal.Tensor);
            int[][] groups = Enumerable.Range(0, target.Length).Select(i => i == batchAxis ? [0] : new[] { i < batchAxis ? i + 1 : i }).ToArray();
            return [new OnnxLayout(y, groups)];
        }
    }

    /// <summary>
    /// The batch axis of <paramref name="target"/> when the reshape works sample by sample: the batch alone on one axis
    /// of input and output, as many values before it in both, every other size fixed.
    /// </summary>
    private static int? SampleReshape(OnnxLayout x, OnnxDim[] target)
    {
        int b = x.BatchAxis, t = Array.IndexOf(target, OnnxDim.Batch);
        OnnxDim[] dims = x.OnnxShape;
        if (t < 0 || dims[b] != OnnxDim.Batch || target.Count(d => !d.IsKnown) != 1 || dims.Count(d => !d.IsKnown) != 1) return null;
        long Product(IEnumerable<OnnxDim> ds) => ds.Aggregate(1L, (p, d) => p * d.Value);
        return Product(dims[..b]) == Product(target[..t]) ? t : null;
    }

    public static string? CheckTranspose(OnnxNode node, OnnxImporter im) => null;

    /// <summary>Transpose makes no layer: the axes are regrouped, and a Permute is made where an operator needs it.</summary>
    public static OnnxLayout[] Transpose(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout x = im.Layout(node.Inputs[0]);
        long[] perm = node.Ints("perm") ?? Enumerable.Range(0, x.Rank).Reverse().Select(i => (long)i).ToArray();
        if (!perm.Order().SequenceEqual(Enumerable.Range(0, x.Rank).Select(i => (long)i)))
            throw new NotSupportedException($"{node.Describe()}: perm [{string.Join(", ", perm)}] is not a permutation of the axes of ONNX shape {x.FormatShape()}.");
        return [x.Transpose(perm)];
    }

    private static long[]? Axes(OnnxNode node, OnnxImporter im) =>
        im.Opset < 13 ? node.Ints("axes") : node.Input(1) is string a ? im.Constant(a).to(ScalarType.Int64).data<long>().ToArray() : null;

    public static string? CheckAxes(OnnxNode node, OnnxImporter im) =>
        im.Opset >= 13 && node.Input(1) is string a && !im.IsConstant(a) ? "its axes are computed from the values of the model's tensors" : null;

    public static OnnxLayout[] Squeeze(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout x = im.Layout(node.Inputs[0]);
        long[] axes = Axes(node, im)?.Select(a => a < 0 ? a + x.Rank : a).ToArray()
            ?? Enumerable.Range(0, x.Rank).Where(a => x.Dim(a) == OnnxDim.Known(1)).Select(a => (long)a).ToArray();
        foreach (long a in axes)
            if (a < 0 || a >= x.Rank || x.Dim((int)a) != OnnxDim.Known(1))
                throw new NotSupportedException($"{node.Describe()}: axis {a} of ONNX shape {x.FormatShape()} {(a >= 0 && a < x.Rank && x.Dim((int)a).IsBatchMultiple ? "is the batch" : "is not of size 1")}.");
        return [x.Squeeze(axes) ?? OnnxLayouts.Normal(x, im.MaterializedNamer(node.Outputs[0])).Squeeze(axes)!];
    }

    public static OnnxLayout[] Unsqueeze(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout x = im.Layout(node.Inputs[0]);
        long[] axes = Axes(node, im) ?? throw new NotSupportedException($"{node.Describe()} names no axes.");
        int rank = x.Rank + axes.Length;
        return [x.Unsqueeze(axes.Select(a => a < 0 ? a + rank : a))];
    }

    public static string? CheckExpand(OnnxNode node, OnnxImporter im) =>
        im.IsConstant(node.Inputs[1]) ? null : "its shape is computed from the values of the model's tensors";

    /// <summary>Expand of a computed tensor to its own shape (exporters emit it for broadcasts that turn out trivial).</summary>
    public static OnnxLayout[] Expand(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout x = im.Layout(node.Inputs[0]);
        OnnxDim[] shape = im.Dims(node.Inputs[1]), dims = x.OnnxShape;
        bool same = shape.Length <= dims.Length && shape.Select((d, i) => d == OnnxDim.Known(1) || d == dims[i + dims.Length - shape.Length]).All(b => b);
        if (!same)
            throw new NotSupportedException($"{node.Describe()}: expanding ONNX shape {x.FormatShape()} to ({string.Join(", ", shape)}) is not imported; Tanuki imports Expand of a constant, or of a tensor to its own shape.");
        return [x];
    }
}
