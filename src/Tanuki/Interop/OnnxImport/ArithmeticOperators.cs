using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Add, Sub, Mul, Div. Two computed operands → Add, Subtract, Multiply, Divide; one constant operand →
/// <see cref="ConstantArithmetic"/> holding the constant as a non-trainable weight.
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

    public static SymbolicTensor[] Convert(OnnxNode node, OnnxImporter im)
    {
        string a = node.Inputs[0], b = node.Inputs[1];
        string name = im.LayerName(node);
        if (!im.IsConstant(a) && !im.IsConstant(b))
        {
            SymbolicTensor x = im.Value(a), y = im.Value(b);
            // ONNX broadcasts NumPy's way (aligning the last axes); Keras's merge layers align ranks after the batch.
            // They agree when the ranks are equal.
            if (x.Rank != y.Rank)
                throw new NotSupportedException($"{node.Describe()}: its operands {Shapes.Format(x.Shape)} and {Shapes.Format(y.Shape)} have different ranks; " +
                                                "Tanuki imports an element-wise operation of two computed tensors of the same rank (or with one constant operand).");
            Layer layer = node.OpType switch
            {
                "Add" => new Add(name: name),
                "Sub" => new Subtract(name: name),
                "Mul" => new Multiply(name: name),
                _ => new Divide(name: name),
            };
            return [OnnxImporter.Call(layer, x, y)];
        }
        bool constantFirst = im.IsConstant(a);
        SymbolicTensor input = im.Value(constantFirst ? b : a);
        Tensor constant = im.Constant(constantFirst ? a : b).to(ScalarType.Float32);
        int rank = input.Rank;
        if (constant.dim() > rank)
            throw new NotSupportedException($"{node.Describe()}: its constant of shape {Shapes.Format(constant.shape)} has a higher rank than its input {Shapes.Format(input.Shape)}, which would add a batch axis.");
        if (constant.dim() == rank && constant.shape[0] != 1)
            throw new NotSupportedException($"{node.Describe()}: its constant of shape {Shapes.Format(constant.shape)} varies along the batch axis of its input {Shapes.Format(input.Shape)}; Tanuki imports constants that broadcast over the batch.");
        var arithmetic = new ConstantArithmetic(Operation(node.OpType), constant.shape.Length == 0 ? [] : constant.shape, constantFirst, name);
        SymbolicTensor output = OnnxImporter.Call(arithmetic, input);
        OnnxImporter.SetWeight(arithmetic, "constant", constant, node);
        return [output];
    }
}
