using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Takes the maximum of each channel of N×C×H×W inputs over H and W: <c>(N, C)</c>, or <c>(N, C, 1, 1)</c> with
/// <see cref="GlobalPooling2D.KeepDims"/>.
/// </summary>
public sealed class GlobalMaxPooling2D : GlobalPooling2D
{
    /// <summary>Creates the layer.</summary>
    /// <param name="keepDims">Keep H and W as size-1 axes.</param>
    /// <param name="name">Layer name.</param>
    public GlobalMaxPooling2D(bool keepDims = false, string? name = null) : base(keepDims, name) { }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => inputs.amax([2, 3], KeepDims);
}
