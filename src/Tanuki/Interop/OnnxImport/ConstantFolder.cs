using Tanuki.Interop.OnnxImport.Protos;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Computes nodes whose inputs are all constants once, at import, so that they make no layers: Constant nodes, and
/// the shape arithmetic exporters emit around Reshape, Slice and Expand (Shape → Gather → Unsqueeze → Concat, Div,
/// Cast, Equal, Where, ConstantOfShape). Floats stay float32, integers int64. Entries that are multiples of the batch
/// size are computed with their coefficient; <see cref="ShapeArithmetic"/> keeps track of which they are.
/// </summary>
internal static class ConstantFolder
{
    public static readonly IReadOnlySet<string> FoldableOpTypes = new HashSet<string>
    {
        "Constant", "Identity", "Add", "Sub", "Mul", "Div", "Neg", "Sqrt", "Reshape", "Transpose", "Concat", "Flatten",
        "Unsqueeze", "Squeeze", "Cast", "Shape", "Gather", "Dropout", "Slice", "Equal", "Where", "ConstantOfShape", "Expand", "Pow",
    };

    public static bool CanFold(OnnxNode node) => node.Domain.Length == 0 && FoldableOpTypes.Contains(node.OpType);

    public static Tensor[] Fold(OnnxNode node, Tensor?[] inputs, OnnxImporter im)
    {
        Tensor In(int i) => i < inputs.Length && inputs[i] is Tensor t ? t : throw new InvalidDataException($"{node.Describe()} is missing its input {i}.");
        long[] Longs(Tensor t) => t.to(ScalarType.Int64).data<long>().ToArray();
        long Axis(long axis, long rank) => axis < 0 ? axis + rank : axis;
        using var scope = torch.NewDisposeScope();
        Tensor result = node.OpType switch
        {
            "Constant" => ConstantValue(node, im),
            "Identity" or "Dropout" => In(0).clone(),
            "Add" => Promote(In(0), In(1), (a, b) => a + b),
            "Sub" => Promote(In(0), In(1), (a, b) => a - b),
            "Mul" => Promote(In(0), In(1), (a, b) => a * b),
            "Div" => Promote(In(0), In(1), (a, b) => a.is_floating_point() ? a / b : a.div(b, RoundingMode.trunc)),
            "Neg" => -In(0),
            "Sqrt" => In(0).sqrt(),
            "Reshape" => ReshapeConstant(In(0), Longs(In(1)), node.Int("allowzero", 0) != 0),
            "Transpose" => In(0).permute(node.Ints("perm") ?? Enumerable.Range(0, (int)In(0).dim()).Reverse().Select(i => (long)i).ToArray()).contiguous(),
            "Concat" => torch.cat(inputs.Where(t => t is not null).Select(t => t!).ToArray(), Axis(node.Int("axis", 0), In(0).dim())),
            "Flatten" => FlattenConstant(In(0), Axis(node.Int("axis", 1), In(0).dim())),
            "Unsqueeze" => Unsqueeze(In(0), im.Opset < 13 ? node.Ints("axes")! : Longs(In(1))),
            "Squeeze" => Squeeze(In(0), im.Opset < 13 ? node.Ints("axes") : inputs.Length > 1 && inputs[1] is Tensor ax ? Longs(ax) : null),
            "Cast" => OnnxTensors.IsFloat((int)node.Int("to", 1)) ? In(0).to(ScalarType.Float32) : In(0).to(ScalarType.Int64),
            "Shape" => ShapeOf(In(0), node),
            "Slice" => SliceConstant(node, In(0), inputs, im),
            "Equal" => Promote(In(0), In(1), (a, b) => a.eq(b)).to(ScalarType.Int64),
            "Where" => Promote(In(1), In(2), (a, b) => torch.where(In(0).ne(0), a, b)),
            "ConstantOfShape" => ConstantOfShape(node, Longs(In(0)), im),
            "Expand" => ExpandConstant(In(0), Longs(In(1))),
            "Pow" => Promote(In(0).to(ScalarType.Float32), In(1), (a, b) => a.pow(b)),
            "Gather" => In(0).index_select(Axis(node.Int("axis", 0), In(0).dim()), In(1).to(ScalarType.Int64).flatten()
                            .remainder(In(0).shape[Axis(node.Int("axis", 0), In(0).dim())])).reshape(GatherShape(In(0), In(1), Axis(node.Int("axis", 0), In(0).dim()))),
            _ => throw new NotSupportedException($"{node.Describe()} cannot be computed at import."),
        };
        return [result.MoveToOuterDisposeScope()];
    }

    private static Tensor Promote(Tensor a, Tensor b, Func<Tensor, Tensor, Tensor> op)
    {
        if (a.is_floating_point() != b.is_floating_point()) (a, b) = (a.to(ScalarType.Float32), b.to(ScalarType.Float32));
        return op(a, b);
    }

    private static Tensor ConstantValue(OnnxNode node, OnnxImporter im)
    {
        string what = $"The value of {node.Describe()} in '{im.Graph.Path}'";
        if (node.TensorAttribute("value") is TensorProto t) return OnnxTensors.ToTensor(t, im.Graph.Directory, what);
        if (node.Has("value_float")) return torch.tensor(node.Float("value_float", 0));
        if (node.Floats("value_floats") is float[] fs && node.Has("value_floats")) return torch.tensor(fs);
        if (node.Has("value_int")) return torch.tensor(node.Int("value_int", 0));
        if (node.Ints("value_ints") is long[] ls) return torch.tensor(ls);
        throw new NotSupportedException($"{node.Describe()} holds a {string.Join("/", node.AttributeNames)} value; Tanuki imports numeric constants only.");
    }

    private static Tensor SliceConstant(OnnxNode node, Tensor x, Tensor?[] inputs, OnnxImporter im)
    {
        long[] Ints(int i, string attribute) =>
            im.Opset < 10 ? node.Ints(attribute) ?? [] : i < inputs.Length && inputs[i] is Tensor t ? t.to(ScalarType.Int64).data<long>().ToArray() : [];
        long[] starts = Ints(1, "starts"), ends = Ints(2, "ends"), axes = Ints(3, "axes"), steps = Ints(4, "steps");
        if (axes.Length == 0) axes = Enumerable.Range(0, starts.Length).Select(a => (long)a).ToArray();
        Tensor y = x;
        for (int i = 0; i < starts.Length; i++)
        {
            long axis = axes[i] < 0 ? axes[i] + x.dim() : axes[i];
            long[] index = SliceIndices(x.shape[axis], starts[i], ends[i], steps.Length > i ? steps[i] : 1);
            y = y.index_select(axis, torch.tensor(index));
        }
        return y;
    }

    /// <summary>The indices ONNX's Slice keeps of an axis of <paramref name="size"/> (negative steps included).</summary>
    public static long[] SliceIndices(long size, long start, long end, long step)
    {
        if (step == 0) throw new InvalidDataException("Slice with step 0.");
        if (start < 0) start += size;
        if (end < 0) end += size;
        start = step > 0 ? Math.Clamp(start, 0, size) : Math.Clamp(start, 0, size - 1);
        end = step > 0 ? Math.Clamp(end, 0, size) : Math.Clamp(end, -1, size - 1);
        var index = new List<long>();
        for (long i = start; step > 0 ? i < end : i > end; i += step) index.Add(i);
        return index.ToArray();
    }

    private static Tensor ConstantOfShape(OnnxNode node, long[] shape, OnnxImporter im)
    {
        Tensor fill = node.TensorAttribute("value") is TensorProto t
            ? OnnxTensors.ToTensor(t, im.Graph.Directory, $"The value of {node.Describe()}")
            : torch.tensor(0f);
        return fill.reshape(-1)[0].expand(shape).contiguous();
    }

    private static Tensor ExpandConstant(Tensor x, long[] shape)
    {
        // NumPy broadcasting of the data against the shape (either may be the longer).
        int rank = Math.Max((int)x.dim(), shape.Length);
        long[] xs = [.. Enumerable.Repeat(1L, rank - (int)x.dim()), .. x.shape];
        long[] ss = [.. Enumerable.Repeat(1L, rank - shape.Length), .. shape];
        long[] target = xs.Zip(ss, (a, b) => a == 1 ? b : a).ToArray();
        return x.reshape(xs).expand(target).contiguous();
    }

    private static Tensor ReshapeConstant(Tensor x, long[] shape, bool allowZero)
    {
        long[] s = shape.Select((d, i) => d == 0 && !allowZero ? x.shape[i] : d).ToArray();
        return x.reshape(s);
    }

    private static Tensor FlattenConstant(Tensor x, long axis)
    {
        long outer = x.shape[..(int)axis].Aggregate(1L, (p, d) => p * d);
        return x.reshape(outer, -1);
    }

    private static Tensor Unsqueeze(Tensor x, long[] axes)
    {
        long rank = x.dim() + axes.Length;
        Tensor y = x;
        foreach (long a in axes.Select(a => a < 0 ? a + rank : a).Order()) y = y.unsqueeze(a);
        return y;
    }

    private static Tensor Squeeze(Tensor x, long[]? axes)
    {
        if (axes is null) return x.squeeze();
        Tensor y = x;
        foreach (long a in axes.Select(a => a < 0 ? a + x.dim() : a).OrderDescending()) y = y.squeeze(a);
        return y;
    }

    private static Tensor ShapeOf(Tensor x, OnnxNode node)
    {
        long rank = x.dim();
        long start = node.Int("start", 0), end = node.Int("end", rank);
        if (start < 0) start += rank;
        if (end < 0) end += rank;
        start = Math.Clamp(start, 0, rank);
        end = Math.Clamp(end, start, rank);
        return torch.tensor(x.shape[(int)start..(int)end]);
    }

    private static long[] GatherShape(Tensor data, Tensor indices, long axis) =>
        [.. data.shape[..(int)axis], .. indices.shape, .. data.shape[(int)(axis + 1)..]];
}
