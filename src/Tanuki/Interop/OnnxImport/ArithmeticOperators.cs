using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Add, Sub, Mul, Div. Two computed operands → Add, Subtract, Multiply, Divide; one constant operand →
/// <see cref="ConstantArithmetic"/> holding the constant as a non-trainable weight (laid out like the computed
/// operand's tensor, whatever its layout).
/// </summary>
internal static class ArithmeticOperators
{
    private static string Operation(string opType) => opType switch
    {
        "Add" => "add",
        "Sub" => "subtract",
        "Mul" => "multiply",
        _ => "divide",
    };

    public static string? Check(OnnxNode node, OnnxImporter im)
    {
        if (node.Inputs.Length != 2) return $"it has {node.Inputs.Length} inputs; 2 are expected";
        if (im.Opset < 7 && node.Int("broadcast", 0) != 0) return "opset-6 broadcasting with an axis attribute is not imported";
        return null;
    }

    public static OnnxLayout[] Convert(OnnxNode node, OnnxImporter im)
    {
        string a = node.Inputs[0], b = node.Inputs[1];
        string name = im.LayerName(node);
        if (!im.IsConstant(a) && !im.IsConstant(b)) return [Merge(node, im, a, b, name)];
        bool constantFirst = im.IsConstant(a);
        OnnxLayout input = im.Layout(constantFirst ? b : a);
        Tensor constant = ToTensorAxes(node, input, im.Constant(constantFirst ? a : b, batchBroadcast: true).to(ScalarType.Float32));
        var arithmetic = new ConstantArithmetic(Operation(node.OpType), constant.shape.Length == 0 ? [] : constant.shape, constantFirst, name);
        OnnxLayout output = input.On(OnnxImporter.Call(arithmetic, input.Tensor));
        OnnxImporter.SetWeight(arithmetic, "constant", constant, node);
        return [output];
    }

    private static OnnxLayout Merge(OnnxNode node, OnnxImporter im, string a, string b, string name)
    {
        OnnxLayout x = im.Layout(a), y = im.Layout(b);
        // Operands held the same way (a residual connection around a block) merge as they are; others in normal form.
        if (!SameGroups(x, y))
        {
            x = im.Normal(a);
            y = im.Normal(b);
        }
        // ONNX broadcasts NumPy's way (aligning the last axes); Keras's merge layers align ranks after the batch.
        // They agree when the ranks are equal and the batch is on the same axis.
        if (x.Tensor.Rank != y.Tensor.Rank || x.BatchAxis != y.BatchAxis)
            throw new NotSupportedException($"{node.Describe()}: its operands of ONNX shapes {x.FormatShape()} and {y.FormatShape()} have different ranks or hold the batch on different axes; " +
                                            "Tanuki imports an element-wise operation of two computed tensors of the same rank (or with one constant operand).");
        Layer layer = node.OpType switch
        {
            "Add" => new Add(name: name),
            "Sub" => new Subtract(name: name),
            "Mul" => new Multiply(name: name),
            _ => new Divide(name: name),
        };
        return x.On(OnnxImporter.Call(layer, x.Tensor, y.Tensor));
    }

    /// <summary>Held the same way: the same groups over tensors of the same shape (sizes that differ would broadcast
    /// tensor axes, which need not be what ONNX broadcasts).</summary>
    private static bool SameGroups(OnnxLayout x, OnnxLayout y) =>
        x.Rank == y.Rank && x.Tensor.Shape.Skip(1).SequenceEqual(y.Tensor.Shape.Skip(1)) && x.Tensor.Shape.Skip(1).All(d => d > 0)
        && x.Groups.Zip(y.Groups).All(p => p.First.SequenceEqual(p.Second));

    /// <summary>
    /// A constant that broadcasts against an ONNX tensor, laid out to broadcast against the tensor that holds it: its
    /// axes follow the tensor's (an ONNX axis spanning several tensor axes is split to their sizes). Unchanged when the
    /// tensor is the ONNX tensor itself.
    /// </summary>
    public static Tensor ToTensorAxes(OnnxNode node, OnnxLayout input, Tensor constant)
    {
        int rank = input.Rank;
        string problem = $"{node.Describe()}: its constant of shape {Shapes.Format(constant.shape)}";
        if (constant.dim() > rank)
            throw new NotSupportedException($"{problem} has a higher rank than its input {input.FormatShape()}, which would add a batch axis.");
        int b = input.BatchAxis;
        long[] c = [.. Enumerable.Repeat(1L, rank - (int)constant.dim()), .. constant.shape];
        if (c[b] != 1)
            throw new NotSupportedException($"{problem} varies along the batch axis of its input {input.FormatShape()}; Tanuki imports constants that broadcast over the batch.");
        if (input.IsIdentity) return constant;
        // Expand each ONNX axis into its tensor axes (sizes where the constant varies, else 1), then order as the tensor.
        var sizes = new List<long>();
        for (int i = 0; i < rank; i++)
        {
            int[] g = input.Groups[i];
            if (c[i] == 1) { sizes.AddRange(g.Select(_ => 1L)); continue; }
            long[] axisSizes = g.Select(a => input.Tensor.Shape[a]).ToArray();
            if (g.Contains(0) || axisSizes.Any(s => s < 0) || Shapes.Product(axisSizes) != c[i])
                throw new NotSupportedException($"{problem} does not fit the axes of its input {input.FormatShape()}.");
            sizes.AddRange(axisSizes);
        }
        int[] flat = input.Groups.SelectMany(g => g).ToArray();
        long[] order = Enumerable.Range(0, flat.Length).Select(t => (long)Array.IndexOf(flat, t)).ToArray();
        return constant.reshape(sizes.ToArray()).permute(order).contiguous();
    }
}
