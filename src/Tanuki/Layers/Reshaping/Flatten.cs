using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>Flattens every sample to one dimension: <c>(N, C, H, W)</c> → <c>(N, C·H·W)</c>.</summary>
public sealed class Flatten : Layer
{
    /// <summary>Creates the layer.</summary>
    public Flatten(string? name = null) : base(name) { }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => inputs.flatten(1);

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        if (inputShape.Length < 2) return [inputShape[0], 1];
        bool known = inputShape[1..].All(d => d >= 0);
        return [inputShape[0], known ? Shapes.Product(inputShape[1..]) : -1];
    }
}
