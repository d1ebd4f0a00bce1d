using Tanuki.Layers;
using static Tanuki.Interop.OnnxExport.OnnxAttributes;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// Add, Subtract, Multiply, Divide → chains of Add, Sub, Mul, Div; Concatenate → Concat; ConstantConcatenate → Concat with
/// its constant Expanded to the batch; MatMul → MatMul.
/// </summary>
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

    /// <summary>
    /// The constant, stored with a batch axis of 1, is Expanded to the input's batch size (read from its Shape, so the
    /// batch stays free) and joined before or after it: what PyTorch writes for ViT's class token, which the importer
    /// makes this layer of again.
    /// </summary>
    public static string ConstantConcatenate(LayerExport e)
    {
        var c = (Layers.ConstantConcatenate)e.Layer;
        int rank = e.Input.Rank;
        string constant;
        using (var scope = torch.NewDisposeScope())
            constant = e.Constant("constant", c.Constant!.Value.detach().unsqueeze(0));
        string batch = e.Part("Slice", "batch", [e.Part("Shape", "shape", [e.Input.Name]), e.Ints("start", 0), e.Ints("end", 1)]);
        string shape = e.Part("Concat", "expanded_shape", [batch, e.Ints("sample", Enumerable.Repeat(1L, rank - 1).ToArray())], Int("axis", 0));
        string expanded = e.Part("Expand", "expanded", [constant, shape]);
        int axis = c.Axis < 0 ? c.Axis + rank : c.Axis;
        return e.Node("Concat", "concat", c.ConstantFirst ? [expanded, e.Input.Name] : [e.Input.Name, expanded], Int("axis", axis));
    }

    /// <summary>NumPy's matmul, which ONNX's MatMul is: the leading axes (the batch among them) broadcast.</summary>
    public static string MatMul(LayerExport e) => e.Node("MatMul", "matmul", [e.Inputs[0].Name, e.Inputs[1].Name]);
}
