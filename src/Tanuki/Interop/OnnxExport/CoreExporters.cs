using Tanuki.Layers;

namespace Tanuki.Interop.OnnxExport;

/// <summary>Dense → Gemm (or MatMul + Add past rank 2); ConstantArithmetic → Add, Sub, Mul, Div; Dropout; InputLayer.</summary>
internal static class CoreExporters
{
    /// <summary>
    /// Gemm's B with transB = 0 is Dense's (in, units) kernel as it is (<c>OnnxWeightLayout.GemmBFromDenseKernel</c>),
    /// so the weight is written without a copy. Inputs of rank above 2 (Dense acts on the last axis) take MatMul and Add,
    /// which the importer folds back into one Dense.
    /// </summary>
    public static string Dense(LayerExport e)
    {
        var d = (Dense)e.Layer;
        string x = e.Input.Name, kernel = e.Weight(d.Kernel!);
        string y;
        if (e.Input.Rank == 2)
            y = e.Node("Gemm", "gemm", d.Bias is null ? [x, kernel] : [x, kernel, e.Weight(d.Bias)]);
        else
        {
            y = e.Node("MatMul", "matmul", [x, kernel]);
            if (d.Bias is not null) y = e.Node("Add", "bias", [y, e.Weight(d.Bias)]);
        }
        return ActivationExporters.Apply(e, d.Activation, y);
    }

    public static string ConstantArithmetic(LayerExport e)
    {
        var c = (ConstantArithmetic)e.Layer;
        string op = c.Operation switch
        {
            "add" => "Add",
            "subtract" => "Sub",
            "multiply" => "Mul",
            _ => "Div",
        };
        string constant = e.Weight(c.Constant!);
        return e.Node(op, c.Operation, c.ConstantFirst ? [constant, e.Input.Name] : [e.Input.Name, constant]);
    }

    /// <summary>
    /// ONNX's Dropout in inference (no training_mode input): its output is its input, and runtimes remove it. It is
    /// kept rather than dropped so that the rate survives a round trip through ONNX (the importer makes it a Dropout
    /// layer again, which acts when the imported model is fine-tuned).
    /// </summary>
    public static string Dropout(LayerExport e) =>
        e.Node("Dropout", "dropout", [e.Input.Name, e.Scalar("ratio", ((Dropout)e.Layer).Rate)]);

    /// <summary>The identity: layers that only act in training (augmentation), and InputLayer.</summary>
    public static string Identity(LayerExport e) => e.Input.Name;
}
