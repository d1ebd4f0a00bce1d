using Tanuki.Interop.OnnxImport.Protos;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Computes nodes whose inputs are all constants once, at import, so that they make no layers: Constant nodes, and
/// the shape arithmetic exporters emit around Reshape (Shape → Gather → Unsqueeze → Concat on constants).
/// Floats stay float32, integers int64.
/// </summary>
internal static class ConstantFolder
{
    public static readonly IReadOnlySet<string> FoldableOpTypes = new HashSet<string>
    {
        "Constant", "Identity", "Add", "Sub", "Mul", "Div", "Neg", "Sqrt", "Reshape", "Transpose", "Concat", "Flatten",
        "Unsqueeze", "Squeeze", "Cast", "Shape", "Gather", "Dropout",
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
