using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Gemm and MatMul with a constant right operand → <see cref="Dense"/> (kernel (in, out), as Keras lays it out), on
/// the ONNX tensor's last axis wherever the batch is (PyTorch's attention projects (L·N, E) rows); MatMul of two
/// computed tensors → <see cref="Layers.MatMul"/>.
/// </summary>
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

    public static OnnxLayout[] Gemm(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout a = im.Layout(node.Inputs[0]);
        if (a.Rank != 2) throw new NotSupportedException($"{node.Describe()}: A must be a matrix (batch, features); it has ONNX shape {a.FormatShape()}.");
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
        if (node.Inputs.Length != 2) return $"it has {node.Inputs.Length} inputs; 2 are expected";
        if (!im.IsConstant(node.Inputs[1])) return im.IsConstant(node.Inputs[0]) ? "its first operand is a constant and its second computed; Tanuki imports MatMul by a constant matrix, or of two computed tensors" : null;
        if (im.IsConstant(node.Inputs[0])) return null;
        string b = node.Inputs[1];
        Tensor bt = im.Constant(b);
        return bt.dim() != 2 ? $"its constant operand must be a matrix; it has shape {Shapes.Format(bt.shape)}" : null;
    }

    public static OnnxLayout[] MatMul(OnnxNode node, OnnxImporter im)
    {
        if (!im.IsConstant(node.Inputs[1])) return [MatMulOfComputed(node, im)];
        OnnxLayout a = im.Layout(node.Inputs[0]);
        if (a.Rank < 2) throw new NotSupportedException($"{node.Describe()}: its input must have a batch axis and a feature axis; it has ONNX shape {a.FormatShape()}.");
        Tensor kernel = im.Constant(node.Inputs[1]).to(ScalarType.Float32);
        // PyTorch exports Linear on inputs of rank > 2 as MatMul then Add(bias): one Dense with a trainable bias.
        if (im.SoleConsumer(node.Outputs[0]) is { OpType: "Add" } add && add.Inputs.Length == 2)
        {
            string other = add.Inputs[0] == node.Outputs[0] ? add.Inputs[1] : add.Inputs[0];
            if (im.IsConstant(other) && im.Constant(other) is var b && b.is_floating_point() && b.numel() == kernel.shape[1]
                && b.shape.Count(d => d != 1) <= 1 && (b.dim() == 0 || b.shape[^1] == kernel.shape[1]) && b.dim() <= a.Rank - 1)
            {
                OnnxLayout y = MakeDense(node, im, a, kernel, b.reshape(-1).to(ScalarType.Float32));
                im.Absorb(add, y);
                return [y];
            }
        }
        return [MakeDense(node, im, a, kernel, null)];
    }

    /// <summary>A Dense on the ONNX tensor's last axis, brought last in the tensor that holds it (the other axes stay as they are).</summary>
    private static OnnxLayout MakeDense(OnnxNode node, OnnxImporter im, OnnxLayout a, Tensor kernel, Tensor? bias)
    {
        OnnxLayout input = im.Bring(node.Inputs[0], a.Rank - 1);
        long inDim = input.Tensor.Shape[^1];
        if (inDim > 0 && inDim != kernel.shape[0])
            throw new ArgumentException($"its input has {inDim} features, but its weight matrix {Shapes.Format(kernel.shape)} takes {kernel.shape[0]}.");
        var dense = new Dense((int)kernel.shape[1], useBias: bias is not null, name: im.LayerName(node));
        SymbolicTensor y = OnnxImporter.Call(dense, input.Tensor);
        OnnxImporter.SetWeight(dense, "kernel", kernel, node);
        if (bias is not null) OnnxImporter.SetWeight(dense, "bias", bias, node);
        return input.On(y);
    }

    /// <summary>
    /// MatMul of two computed tensors (attention's scores and weighted values): both are arranged with their matrix
    /// axes last and their leading axes alike, which must broadcast sample by sample (the batch may be merged into a
    /// leading axis, as in PyTorch's (N·H, L, d), but not into the matrix axes).
    /// </summary>
    private static OnnxLayout MatMulOfComputed(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout a = im.Layout(node.Inputs[0]), b = im.Layout(node.Inputs[1]);
        int rank = a.Rank;
        if (b.Rank != rank || rank < 2)
            throw new NotSupportedException($"{node.Describe()}: its operands of ONNX shapes {a.FormatShape()} and {b.FormatShape()} differ in rank; Tanuki imports MatMul of two computed tensors of the same rank.");
        a = im.Bring(node.Inputs[0], rank - 2, rank - 1);
        b = im.Bring(node.Inputs[1], rank - 2, rank - 1);
        // The leading tensor axes, in tensor order, must stand for the same parts of the same ONNX axes in both.
        (int, int)[] Leading(OnnxLayout l) => Enumerable.Range(0, l.Tensor.Rank - 2)
            .Select(t => { int g = Array.FindIndex(l.Groups, x => x.Contains(t)); return (g, Array.IndexOf(l.Groups[g], t)); }).ToArray();
        if (!Leading(a).SequenceEqual(Leading(b)) || a.Groups[..^2].Zip(b.Groups[..^2]).Any(p => p.First.Length != p.Second.Length))
            throw new NotSupportedException($"{node.Describe()}: its operands of ONNX shapes {a.FormatShape()} and {b.FormatShape()} hold their leading axes differently; Tanuki imports MatMul of tensors whose leading axes match.");
        SymbolicTensor y = OnnxImporter.Call(new Layers.MatMul(name: im.LayerName(node)), a.Tensor, b.Tensor);
        int last = a.Tensor.Rank - 1;
        return new OnnxLayout(y, [.. a.Groups[..^2], [last - 1], [last]]);
    }
}
