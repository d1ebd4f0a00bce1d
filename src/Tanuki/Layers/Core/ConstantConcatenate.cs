using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Joins a constant to every sample along a non-batch axis: after the input, or before it when
/// <c>constantFirst</c>. ViT's class token is this: <c>new ConstantConcatenate(1, [1, 768], constantFirst: true)</c>
/// puts one 768-wide token in front of each sample's tokens. The constant has the shape of one sample's part
/// (batch dimension left out) and is a non-trainable weight named <c>constant</c>, as in
/// <see cref="ConstantArithmetic"/>; set it with <see cref="Layer.SetWeights"/>. ONNX's <c>Concat</c> with a constant
/// operand (possibly <c>Expand</c>ed to the batch) imports as this layer.
/// </summary>
public sealed class ConstantConcatenate : Layer
{
    /// <summary>Creates the layer; the constant starts as zeros until it is set.</summary>
    /// <param name="axis">The axis joined along (negative counts from the end; not the batch axis).</param>
    /// <param name="constantShape">The constant's shape: one sample's, without the batch dimension.</param>
    /// <param name="constantFirst">Put the constant before the input instead of after it.</param>
    /// <param name="name">Layer name.</param>
    public ConstantConcatenate(int axis, long[] constantShape, bool constantFirst = false, string? name = null) : base(name)
    {
        ArgumentNullException.ThrowIfNull(constantShape);
        if (axis == 0)
            throw new ArgumentException($"Invalid argument for {LayerArgs.Who(this)}: cannot concatenate along the batch axis. Received: axis=0", nameof(axis));
        if (constantShape.Length == 0 || constantShape.Any(d => d <= 0))
            throw new ArgumentException(
                $"Invalid argument for {LayerArgs.Who(this)}: expected the shape of one sample (at least one axis, positive sizes). Received: constantShape={Shapes.Format(constantShape)}",
                nameof(constantShape));
        Axis = axis;
        ConstantShape = (long[])constantShape.Clone();
        ConstantFirst = constantFirst;
    }

    /// <summary>The axis joined along, as given.</summary>
    public int Axis { get; }

    /// <summary>The constant's shape (one sample's, batch dimension left out).</summary>
    public long[] ConstantShape { get; }

    /// <summary>Whether the constant comes before the input.</summary>
    public bool ConstantFirst { get; }

    /// <summary>The constant (non-trainable); null before the layer is built.</summary>
    public Variable? Constant { get; private set; }

    private int Resolve(int rank) => Axis < 0 ? rank + Axis : Axis;

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        ComputeOutputShape(inputShape);
        Constant = AddWeight("constant", ConstantShape, Initializers.Zeros, trainable: false);
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        ComputeOutputShape(inputs.shape);
        Tensor c = Constant!.Value.unsqueeze(0).expand([inputs.shape[0], .. ConstantShape]);
        Tensor[] parts = ConstantFirst ? [c, inputs] : [inputs, c];
        return torch.cat(parts, Resolve((int)inputs.dim()));
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        int rank = inputShape.Length, axis = Resolve(rank);
        if (rank != ConstantShape.Length + 1 || axis < 1 || axis >= rank)
            throw LayerArgs.Error(this,
                $"expects inputs of rank {ConstantShape.Length + 1} (the constant's {Shapes.Format(ConstantShape)} and a batch axis) with axis {Axis} after the batch. Received input shape {Shapes.Format(inputShape)}.");
        long[] output = (long[])inputShape.Clone();
        for (int d = 1; d < rank; d++)
        {
            long c = ConstantShape[d - 1];
            if (d == axis) output[d] = inputShape[d] < 0 ? -1 : inputShape[d] + c;
            else if (inputShape[d] >= 0 && inputShape[d] != c)
                throw LayerArgs.Error(this,
                    $"the input must match the constant {Shapes.Format(ConstantShape)} on every axis but {Axis}, but axis {d} has size {inputShape[d]}. Received input shape {Shapes.Format(inputShape)}.");
        }
        return output;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        config["constant_shape"] = (long[])ConstantShape.Clone();
        config["constant_first"] = ConstantFirst;
        return config;
    }
}
