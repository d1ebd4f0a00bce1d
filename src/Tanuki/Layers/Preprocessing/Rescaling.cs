using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Multiplies inputs by <see cref="Scale"/> and adds <see cref="Offset"/>: <c>new Rescaling(1.0 / 255)</c> maps
/// pixels in [0, 255] to [0, 1], <c>new Rescaling(1.0 / 127.5, offset: -1)</c> to [−1, 1]. Integer inputs become
/// float32.
/// </summary>
public sealed class Rescaling : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="scale">The factor.</param>
    /// <param name="offset">Added after scaling.</param>
    /// <param name="name">Layer name.</param>
    public Rescaling(double scale, double offset = 0, string? name = null) : base(name)
    {
        if (!double.IsFinite(scale) || !double.IsFinite(offset))
            throw new ArgumentException($"Invalid argument for {LayerArgs.Who(this)}: expected finite numbers. Received: scale={scale}, offset={offset}");
        Scale = scale;
        Offset = offset;
    }

    /// <summary>The factor.</summary>
    public double Scale { get; }

    /// <summary>Added after scaling.</summary>
    public double Offset { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        Tensor x = inputs.is_floating_point() ? inputs : inputs.to_type(ScalarType.Float32);
        Tensor y = x * Scale;
        return Offset == 0 ? y : y + Offset;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["scale"] = Scale;
        config["offset"] = Offset;
        return config;
    }
}
