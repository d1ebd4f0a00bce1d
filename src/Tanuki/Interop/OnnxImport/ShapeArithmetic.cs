using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// The batch-size bookkeeping of folded shape arithmetic. Beside each folded integer tensor the importer keeps a
/// "power" tensor of the same shape: 0 where the entry is that number, 1 where it is that many times the batch size N,
/// -1 where it is not known at import (a size the input leaves free, or arithmetic no number describes, such as N + 1).
/// The values are computed by <see cref="ConstantFolder"/> with N's coefficient; this computes the powers, so that
/// a Reshape to <c>(N, 2, C/2, H, W)</c> built from a Shape keeps the batch free.
/// </summary>
internal static class ShapeArithmetic
{
    /// <summary>Operators that only move entries: their powers move the same way.</summary>
    private static readonly HashSet<string> s_movers =
        ["Identity", "Dropout", "Reshape", "Transpose", "Flatten", "Unsqueeze", "Squeeze", "Gather", "Slice", "Concat", "Expand"];

    /// <summary>The powers of <paramref name="result"/> = <paramref name="node"/>(values), or null when every entry is a plain number.</summary>
    public static Tensor? Powers(OnnxNode node, Tensor?[] values, Tensor?[] powers, Tensor result, OnnxImporter im)
    {
        if (powers.All(p => p is null || !p.ne(0).any().item<bool>())) return null;
        Tensor P(int i) => powers[i] ?? torch.zeros_like(values[i]!, dtype: ScalarType.Int64);
        Tensor V(int i) => values[i]!.to(ScalarType.Float64);
        Tensor unknown = torch.full_like(result, -1, dtype: ScalarType.Int64);
        Tensor power = node.OpType switch
        {
            _ when s_movers.Contains(node.OpType) => Move(node, values, powers, im),
            "Shape" => torch.zeros_like(result, dtype: ScalarType.Int64),      // the sizes of a folded tensor are numbers
            "ConstantOfShape" => throw new NotSupportedException($"{node.Describe()} makes a tensor whose shape [{string.Join(", ", im.Dims(node.Inputs[0]))}] depends on the batch or on free input sizes."),
            "Cast" or "Neg" => P(0),
            "Mul" => Mul(P(0), P(1)),
            "Add" or "Sub" => AddSub(V(0), P(0), V(1), P(1), result),
            "Div" => Div(V(0), P(0), V(1), P(1)),
            "Equal" => Equal(V(0), P(0), V(1), P(1), result),
            "Where" => Where(values[0]!, P(0), P(1), P(2)),
            _ => unknown,
        };
        power = power.expand(result.shape).contiguous();
        // c·N with c = 0 is the number 0.
        power = torch.where(power.eq(1) & result.eq(0), torch.zeros_like(power), power);
        return power.ne(0).any().item<bool>() ? power : null;
    }

    private static Tensor Move(OnnxNode node, Tensor?[] values, Tensor?[] powers, OnnxImporter im)
    {
        // Fold the same node on the powers in place of the data inputs (all of Concat's, the first of the others).
        bool allData = node.OpType == "Concat";
        Tensor?[] inputs = values.Select((v, i) => v is null ? null
            : (allData || i == 0) ? (powers[i] ?? torch.zeros_like(v, dtype: ScalarType.Int64)) : v).ToArray();
        if (!allData && values.Skip(1).Select((_, i) => powers[i + 1]).Any(p => p is not null && p.ne(0).any().item<bool>()))
            throw new NotSupportedException($"{node.Describe()} takes its indices, axes or shape from sizes that depend on the batch or on free input sizes.");
        return ConstantFolder.Fold(node, inputs, im)[0].to(ScalarType.Int64);
    }

    private static Tensor Mul(Tensor pa, Tensor pb)
    {
        Tensor sum = pa + pb;
        return torch.where(pa.lt(0) | pb.lt(0) | sum.gt(1), torch.full_like(sum, -1), sum);
    }

    private static Tensor AddSub(Tensor va, Tensor pa, Tensor vb, Tensor pb, Tensor result)
    {
        // a·N^p ± b·N^q is a·N^p when b is 0 (and the other way round), (a ± b)·N^p when p = q, otherwise unknown.
        Tensor same = pa.eq(pb);
        Tensor p = torch.where(same, pa, torch.where(pb.eq(0) & vb.eq(0), pa, torch.where(pa.eq(0) & va.eq(0), pb, torch.full_like(pa, -1))));
        return torch.where(pa.lt(0) | pb.lt(0), torch.full_like(p, -1), p);
    }

    private static Tensor Div(Tensor va, Tensor pa, Tensor vb, Tensor pb)
    {
        // (a·N)/(b·N) = a/b; (a·N)/b = (a/b)·N when b divides a (for every N), else unknown; a/(b·N) is unknown.
        Tensor exact = va.remainder(vb).eq(0);
        Tensor p = torch.where(pa.eq(pb), torch.zeros_like(pa), torch.where(pa.eq(1) & pb.eq(0) & exact, torch.ones_like(pa), torch.full_like(pa, -1)));
        return torch.where(pa.lt(0) | pb.lt(0), torch.full_like(p, -1), p);
    }

    private static Tensor Equal(Tensor va, Tensor pa, Tensor vb, Tensor pb, Tensor result)
    {
        // a·N = b is false for every N ≥ 1 when b ≤ 0 (exporters compare sizes with -1); otherwise it depends on N.
        Tensor mixed = pa.ne(pb);
        Tensor known = torch.where(pa.eq(0), va, vb);
        Tensor p = torch.where(mixed & known.gt(0), torch.full_like(pa, -1), torch.zeros_like(pa));
        if (mixed.any().item<bool>()) result.masked_fill_(mixed, 0);   // the folder compared coefficients
        return torch.where(pa.lt(0) | pb.lt(0), torch.full_like(p, -1), p);
    }

    private static Tensor Where(Tensor condition, Tensor pc, Tensor px, Tensor py)
    {
        Tensor p = torch.where(condition.ne(0), px, py);
        return torch.where(pc.ne(0), torch.full_like(p, -1), p);
    }
}
