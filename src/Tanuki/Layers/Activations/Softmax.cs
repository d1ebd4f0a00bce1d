using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Softmax along <see cref="Axis"/>: <c>exp(x) / Σ exp(x)</c>, computed stably. The default, the last axis, turns the
/// logits of an N×K classifier into probabilities; axis 1 gives per-pixel class probabilities of N×K×H×W maps.
/// </summary>
public sealed class Softmax : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The axis normalized over (negative counts from the end; not the batch axis).</param>
    /// <param name="name">Layer name.</param>
    public Softmax(int axis = -1, string? name = null) : base(name)
    {
        if (axis == 0)
            throw new ArgumentException($"Invalid argument for {LayerArgs.Who(this)}: softmax over the batch axis mixes samples. Received: axis=0", nameof(axis));
        Axis = axis;
    }

    /// <summary>The axis normalized over.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape) => CheckAxis(inputShape);

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        CheckAxis(inputs.shape);
        return inputs.softmax(Axis);
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        CheckAxis(inputShape);
        return inputShape;
    }

    private void CheckAxis(long[] shape)
    {
        int a = Axis < 0 ? shape.Length + Axis : Axis;
        if (a < 1 || a >= shape.Length)
            throw LayerArgs.Error(this, $"axis {Axis} is not a non-batch axis of input shape {Shapes.Format(shape)}.");
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        return config;
    }
}
