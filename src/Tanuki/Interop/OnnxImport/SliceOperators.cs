using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Slice, Split and Gather (of constant indices) along sample axes → <see cref="Layers.Slice"/> layers. Their
/// bounds may come from the graph's shape arithmetic (PyTorch's <c>chunk</c> computes them from a Shape).
/// </summary>
internal static class SliceOperators
{
    public static string? CheckSlice(OnnxNode node, OnnxImporter im)
    {
        if (im.Opset >= 10)
            for (int i = 1; i < node.Inputs.Length; i++)
                if (node.Input(i) is string s && !im.IsConstant(s)) return "its starts, ends, axes or steps are computed from the values of the model's tensors";
        return null;
    }

    public static OnnxLayout[] Slice(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout x = im.Layout(node.Inputs[0]);
        OnnxDim[] Read(int i, string attribute) =>
            im.Opset < 10 ? (node.Ints(attribute) ?? []).Select(OnnxDim.Known).ToArray() : node.Input(i) is string s ? im.Dims(s) : [];
        OnnxDim[] starts = Read(1, "starts"), ends = Read(2, "ends"), axes = Read(3, "axes"), steps = Read(4, "steps");
        if (axes.Length == 0) axes = Enumerable.Range(0, starts.Length).Select(a => OnnxDim.Known(a)).ToArray();
        int part = 0;
        for (int i = 0; i < starts.Length; i++)
        {
            long axis = axes[i].Value < 0 ? axes[i].Value + x.Rank : axes[i].Value;
            long step = steps.Length > i ? steps[i].Value : 1;
            if (!axes[i].IsKnown || (steps.Length > i && !steps[i].IsKnown) || axis < 0 || axis >= x.Rank)
                throw new NotSupportedException($"{node.Describe()}: axis {axes[i]} or step of ONNX shape {x.FormatShape()} is not a fixed axis.");
            x = SliceAxis(node, im, x, (int)axis, starts[i], ends[i], step, ref part);
        }
        return [x];
    }

    /// <summary>One Slice layer along ONNX axis <paramref name="axis"/>; a slice of the batch axis must keep all of it.</summary>
    private static OnnxLayout SliceAxis(OnnxNode node, OnnxImporter im, OnnxLayout x, int axis, OnnxDim start, OnnxDim end, long step, ref int part)
    {
        OnnxDim size = x.Dim(axis);
        string range = $"[{start}:{end}:{step}] of axis {axis} of ONNX shape {x.FormatShape()}";
        if (x.Groups[axis].Contains(0))
        {
            bool whole = start == OnnxDim.Known(0) && step == 1 && (end == size || (end.IsKnown && end.Value >= int.MaxValue));
            if (whole) return x;
            throw new NotSupportedException($"{node.Describe()}: the slice {range} drops samples of the batch.");
        }
        if (!start.IsKnown || !end.IsKnown)
            throw new NotSupportedException($"{node.Describe()}: the slice {range} depends on the batch size or on free input sizes.");
        if (step < 1) throw new NotSupportedException($"{node.Describe()}: the slice {range} has a negative step, which is not imported.");
        // The node's input is rearranged once for all its readers; an intermediate slice just here.
        OnnxLayout l = ReferenceEquals(x, im.Layout(node.Inputs[0])) ? im.Merge(node.Inputs[0], axis)
            : OnnxLayouts.Merge(x, [axis], im.MaterializedNamer(node.Outputs[0]));
        int tensorAxis = l.Groups[axis][0];
        (long first, long last) = (start.Value, end.Value);
        if (size.IsKnown)
        {
            // Bounds within the axis, as a reader of the layer's config expects them (not 2^63 - 1 for "to the end").
            long[] kept = ConstantFolder.SliceIndices(size.Value, start.Value, end.Value, step);
            if (kept.Length == 0) throw new NotSupportedException($"{node.Describe()}: the slice {range} is empty.");
            if (kept.Length == size.Value) return l;
            (first, last) = (kept[0], kept[^1] + 1);
        }
        string name = part++ == 0 ? im.LayerName(node) : im.LayerName(node, $"{part}");
        return l.On(OnnxImporter.Call(new Layers.Slice(tensorAxis, first, last, step, name), l.Tensor));
    }

    public static string? CheckSplit(OnnxNode node, OnnxImporter im) =>
        im.Opset >= 13 && node.Input(1) is string s && !im.IsConstant(s) ? "its split sizes are computed from the values of the model's tensors" : null;

    public static OnnxLayout[] Split(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout x = im.Layout(node.Inputs[0]);
        long axis = node.Int("axis", 0);
        if (axis < 0) axis += x.Rank;
        OnnxDim size = x.Dim((int)axis);
        long[]? sizes = im.Opset < 13 ? node.Ints("split") : node.Input(1) is string s ? im.Constant(s).to(ScalarType.Int64).data<long>().ToArray() : null;
        int count = node.Outputs.Length;
        if (sizes is null)
        {
            if (!size.IsKnown) throw new NotSupportedException($"{node.Describe()}: splitting axis {axis} of ONNX shape {x.FormatShape()} in {count} needs its size fixed.");
            long chunk = (size.Value + count - 1) / count;   // opset 18's rule; equal parts before
            sizes = Enumerable.Range(0, count).Select(i => Math.Max(0, Math.Min(chunk, size.Value - i * chunk))).ToArray();
        }
        var outputs = new OnnxLayout[count];
        long offset = 0;
        int part = 0;
        for (int i = 0; i < count; i++)
        {
            outputs[i] = SliceAxis(node, im, im.Layout(node.Inputs[0]), (int)axis, OnnxDim.Known(offset), OnnxDim.Known(offset + sizes[i]), 1, ref part);
            offset += sizes[i];
        }
        return outputs;
    }

    public static string? CheckGather(OnnxNode node, OnnxImporter im) =>
        im.IsConstant(node.Inputs[1]) ? null : "its indices are computed by the model; Tanuki imports Gather of constant indices";

    /// <summary>Gather of one index drops the axis; of consecutive indices it is a slice.</summary>
    public static OnnxLayout[] Gather(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout x = im.Layout(node.Inputs[0]);
        long axis = node.Int("axis", 0);
        if (axis < 0) axis += x.Rank;
        OnnxDim size = x.Dim((int)axis);
        Tensor indices = im.Constant(node.Inputs[1]).to(ScalarType.Int64);
        long[] index = indices.reshape(-1).data<long>().ToArray();
        if (!size.IsKnown || index.Length == 0)
            throw new NotSupportedException($"{node.Describe()}: gathering along axis {axis} of ONNX shape {x.FormatShape()} needs a fixed, non-batch axis.");
        index = index.Select(i => i < 0 ? i + size.Value : i).ToArray();
        if (index.Where((v, i) => i > 0 && v != index[i - 1] + 1).Any() || indices.dim() > 1)
            throw new NotSupportedException($"{node.Describe()}: indices [{string.Join(", ", index)}] are not consecutive; Tanuki imports Gather of one index or of a range.");
        int part = 0;
        OnnxLayout y = SliceAxis(node, im, x, (int)axis, OnnxDim.Known(index[0]), OnnxDim.Known(index[^1] + 1), 1, ref part);
        if (indices.dim() == 1) return [y];
        return [y.Squeeze([axis]) ?? OnnxLayouts.Normal(y, im.MaterializedNamer(node.Outputs[0])).Squeeze([axis])!];
    }
}
