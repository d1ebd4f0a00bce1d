using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Takes the maximum of each channel of N×C×H×W inputs over H and W: <c>(N, C)</c>, or <c>(N, C, 1, 1)</c> with
/// <see cref="KeepDims"/>.
/// </summary>
public sealed class GlobalMaxPooling2D : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="keepDims">Keep H and W as size-1 axes.</param>
    /// <param name="name">Layer name.</param>
    public GlobalMaxPooling2D(bool keepDims = false, string? name = null) : base(name)
    {
        KeepDims = keepDims;
        InputSpec = new InputSpec(rank: 4);
    }

    /// <summary>Whether H and W stay as size-1 axes.</summary>
    public bool KeepDims { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => inputs.amax([2, 3], KeepDims);

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        LayerArgs.RequireRank(this, inputShape, 4, "(N, C, H, W)");
        return KeepDims ? [inputShape[0], inputShape[1], 1, 1] : [inputShape[0], inputShape[1]];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["keep_dims"] = KeepDims;
        return config;
    }
}
