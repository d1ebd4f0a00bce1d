using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Averages each channel of N×C×H×W inputs over H and W: <c>(N, C)</c>, or <c>(N, C, 1, 1)</c> with
/// <see cref="GlobalPooling2D.KeepDims"/>. The usual bridge from a convolutional base to a classification head.
/// </summary>
public sealed class GlobalAveragePooling2D : GlobalPooling2D
{
    /// <summary>Creates the layer.</summary>
    /// <param name="keepDims">Keep H and W as size-1 axes.</param>
    /// <param name="name">Layer name.</param>
    public GlobalAveragePooling2D(bool keepDims = false, string? name = null) : base(keepDims, name) { }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => inputs.mean([2, 3], KeepDims);
}
