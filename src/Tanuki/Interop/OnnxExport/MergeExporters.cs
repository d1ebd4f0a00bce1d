using Tanuki.Layers;
using static Tanuki.Interop.OnnxExport.OnnxAttributes;

namespace Tanuki.Interop.OnnxExport;

/// <summary>Add, Subtract, Multiply, Divide → chains of Add, Sub, Mul, Div; Concatenate → Concat.</summary>
internal static class MergeExporters
{
    public static string Add(LayerExport e) => Chain(e, "Add");
    public static string Subtract(LayerExport e) => Chain(e, "Sub");
    public static string Multiply(LayerExport e) => Chain(e, "Mul");
    public static string Divide(LayerExport e) => Chain(e, "Div");

    /// <summary>Inputs folded left to right with a binary operator: <c>((a + b) + c)</c>, the order Tanuki adds them in.</summary>
    private static string Chain(LayerExport e, string opType)
    {
        string[] x = AlignRanks(e);
        string y = x[0];
        for (int i = 1; i < x.Length; i++) y = e.Node(opType, opType.ToLowerInvariant(), [y, x[i]]);
        return y;
    }

    /// <summary>
    /// Keras's merges give inputs of lower rank size-1 axes right after the batch axis; ONNX's broadcasting would add them
    /// in front instead. An Unsqueeze at axes 1, 2, ... does what Keras does.
    /// </summary>
    private static string[] AlignRanks(LayerExport e)
    {
        int rank = e.Inputs.Max(v => v.Rank);
        return e.Inputs.Select(v => v.Rank == rank ? v.Name
            : e.Node("Unsqueeze", "unsqueeze", [v.Name, e.Ints("axes", Enumerable.Range(1, rank - v.Rank).Select(a => (long)a).ToArray())])).ToArray();
    }

    public static string Concatenate(LayerExport e)
    {
        var c = (Concatenate)e.Layer;
        if (e.Inputs.Count == 1) return e.Input.Name;
        return e.Node("Concat", "concat", e.Inputs.Select(v => v.Name), Int("axis", c.Axis));
    }
}
