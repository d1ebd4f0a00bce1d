using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>Gemm and MatMul with a constant right operand → <see cref="Dense"/> (kernel (in, out), as Keras lays it out).</summary>
internal static class DenseOperators
{
    public static string? CheckGemm(OnnxNode node, OnnxImporter im)
    {
        if (node.Int("transA", 0) != 0) return "transA=1 makes the batch axis a feature axis; Tanuki imports Gemm with transA=0";
        if (node.Input(1) is not string b || !im.IsConstant(b)) return "its B is computed by the graph; Tanuki imports Gemm whose B is an initializer";
        if (node.Input(2) is string c && !im.IsConstant(c)) return "its C is computed by the graph; it must be an initializer";
        if (im.IsConstant(node.Inputs[0])) return null;
        Tensor bt = im.Constant(b);
        if (bt.dim() != 2) return $"B must be a matrix; it has shape {Shapes.Format(bt.shape)}";
        long units = bt.shape[node.Int("transB", 0) != 0 ? 0 : 1];
        if (im.OptionalConstant(node, 2) is Tensor ct)
        {
            using var bias = OnnxWeightLayout.DenseBiasFromGemm(ct, units, 1, out string? reason);
            return reason;
        }
        return null;
    }

    public static SymbolicTensor[] Gemm(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor a = im.Value(node.Inputs[0]);
        if (a.Rank != 2) throw new NotSupportedException($"{node.Describe()}: A must be a matrix (batch, features); it has shape {Shapes.Format(a.Shape)}.");
        bool transB = node.Int("transB", 0) != 0;
        Tensor kernel = OnnxWeightLayout.DenseKernelFromGemm(im.Constant(node.Inputs[1]).to(ScalarType.Float32), transB, node.Float("alpha", 1f));
        Tensor? bias = im.OptionalConstant(node, 2) is Tensor c
            ? OnnxWeightLayout.DenseBiasFromGemm(c.to(ScalarType.Float32), kernel.shape[1], node.Float("beta", 1f), out string? reason)
              ?? throw new NotSupportedException($"{node.Describe()}: {reason}.")
            : null;
        return [MakeDense(node, im, a, kernel, bias)];
    }

    public static string? CheckMatMul(OnnxNode node, OnnxImporter im)
    {
        if (node.Input(1) is not string b || !im.IsConstant(b))
            return "its second operand is computed by the graph; Tanuki imports MatMul by a constant matrix (an initializer)";
        if (im.IsConstant(node.Inputs[0])) return null;
        Tensor bt = im.Constant(b);
        return bt.dim() != 2 ? $"its constant operand must be a matrix; it has shape {Shapes.Format(bt.shape)}" : null;
    }

    public static SymbolicTensor[] MatMul(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor a = im.Value(node.Inputs[0]);
        if (a.Rank < 2) throw new NotSupportedException($"{node.Describe()}: its input must have a batch axis and a feature axis; it has shape {Shapes.Format(a.Shape)}.");
        Tensor kernel = im.Constant(node.Inputs[1]).to(ScalarType.Float32);
        // PyTorch exports Linear on inputs of rank > 2 as MatMul then Add(bias): one Dense with a trainable bias.
        if (im.SoleConsumer(node.Outputs[0]) is { OpType: "Add" } add && add.Inputs.Length == 2)
        {
            string other = add.Inputs[0] == node.Outputs[0] ? add.Inputs[1] : add.Inputs[0];
            if (im.IsConstant(other) && im.Constant(other) is var b && b.is_floating_point() && b.numel() == kernel.shape[1]
                && b.shape.Count(d => d != 1) <= 1 && (b.dim() == 0 || b.shape[^1] == kernel.shape[1]) && b.dim() <= a.Rank - 1)
            {
                SymbolicTensor y = MakeDense(node, im, a, kernel, b.reshape(-1).to(ScalarType.Float32));
                im.Absorb(add, y);
                return [y];
            }
        }
        return [MakeDense(node, im, a, kernel, null)];
    }

    private static SymbolicTensor MakeDense(OnnxNode node, OnnxImporter im, SymbolicTensor input, Tensor kernel, Tensor? bias)
    {
        long inDim = input.Shape[^1];
        if (inDim > 0 && inDim != kernel.shape[0])
            throw new ArgumentException($"its input has {inDim} features, but its weight matrix {Shapes.Format(kernel.shape)} takes {kernel.shape[0]}.");
        var dense = new Dense((int)kernel.shape[1], useBias: bias is not null, name: im.LayerName(node));
        SymbolicTensor y = OnnxImporter.Call(dense, input);
        OnnxImporter.SetWeight(dense, "kernel", kernel, node);
        if (bias is not null) OnnxImporter.SetWeight(dense, "bias", bias, node);
        return y;
    }
}
