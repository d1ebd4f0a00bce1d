namespace Tanuki.Layers;

/// <summary>
/// What <see cref="GlobalAveragePooling2D"/> and <see cref="GlobalMaxPooling2D"/> share: each channel of N×C×H×W
/// inputs reduced over H and W, giving <c>(N, C)</c>, or <c>(N, C, 1, 1)</c> with <see cref="KeepDims"/>.
/// </summary>
public abstract class GlobalPooling2D : Layer
{
    private protected GlobalPooling2D(bool keepDims, string? name) : base(name)
    {
        KeepDims = keepDims;
        InputSpec = new InputSpec(rank: 4);
    }

    /// <summary>Whether H and W stay as size-1 axes.</summary>
    public bool KeepDims { get; }

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
