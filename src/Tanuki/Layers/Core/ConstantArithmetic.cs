using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Adds, subtracts, multiplies or divides its input by a constant tensor, with NumPy broadcasting:
/// <c>x op c</c>, or <c>c op x</c> when <c>constantFirst</c>. The constant is a non-trainable weight named
/// <c>constant</c> (set it with <see cref="Layer.SetWeights"/> or <see cref="Variable.Assign"/>), so saving keeps it.
/// ONNX's <c>Add</c>, <c>Sub</c>, <c>Mul</c> and <c>Div</c> with one constant operand import as this layer.
/// </summary>
public sealed class ConstantArithmetic : Layer
{
    private static readonly string[] s_operations = ["add", "subtract", "multiply", "divide"];

    /// <summary>Creates the layer; the constant starts as the operation's identity (0 or 1) until it is set.</summary>
    /// <param name="operation"><c>add</c>, <c>subtract</c>, <c>multiply</c> or <c>divide</c>.</param>
    /// <param name="constantShape">The constant's shape, broadcast against the input (batch dimension included when its
    /// rank is the input's: give it size 1 there).</param>
    /// <param name="constantFirst">Compute <c>c op x</c> instead of <c>x op c</c> (matters for subtract and divide).</param>
    /// <param name="name">Layer name.</param>
    public ConstantArithmetic(string operation, long[] constantShape, bool constantFirst = false, string? name = null) : base(name)
    {
        Operation = Guard.OneOf(operation, s_operations);
        ArgumentNullException.ThrowIfNull(constantShape);
        if (constantShape.Any(d => d <= 0))
            throw new ArgumentException($"Expected a constant shape of positive sizes. Received: constantShape={Shapes.Format(constantShape)}", nameof(constantShape));
        ConstantShape = (long[])constantShape.Clone();
        ConstantFirst = constantFirst;
    }

    /// <summary><c>add</c>, <c>subtract</c>, <c>multiply</c> or <c>divide</c>.</summary>
    public string Operation { get; }

    /// <summary>The constant's shape.</summary>
    public long[] ConstantShape { get; }

    /// <summary>Whether the constant is the left operand.</summary>
    public bool ConstantFirst { get; }

    /// <summary>The constant (non-trainable); null before the layer is built.</summary>
    public Variable? Constant { get; private set; }

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        Broadcasting.ShapeOrThrow(inputShape, ConstantShape, Name);
        Constant = AddWeight("constant", ConstantShape, Operation is "multiply" or "divide" ? Initializers.Ones : Initializers.Zeros, trainable: false);
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        Tensor c = Constant!.Value;
        (Tensor a, Tensor b) = ConstantFirst ? (c, inputs) : (inputs, c);
        return Operation switch
        {
            "add" => a + b,
            "subtract" => a - b,
            "multiply" => a * b,
            _ => a / b,
        };
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape) => Broadcasting.ShapeOrThrow(inputShape, ConstantShape, Name);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["operation"] = Operation;
        config["constant_shape"] = ConstantShape;
        config["constant_first"] = ConstantFirst;
        return config;
    }
}
