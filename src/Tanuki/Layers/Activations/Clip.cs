using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Clamps every element to <c>[minValue, maxValue]</c> (either bound may be left open). ONNX's <c>Clip</c> imports as
/// this layer, or as <see cref="ReLU"/> when the lower bound is 0.
/// </summary>
public sealed class Clip : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="minValue">Lower bound; none when null.</param>
    /// <param name="maxValue">Upper bound; none when null.</param>
    /// <param name="name">Layer name.</param>
    public Clip(double? minValue = null, double? maxValue = null, string? name = null) : base(name)
    {
        if (minValue is double lo && maxValue is double hi && lo > hi)
            throw new ArgumentException($"Expected minValue <= maxValue. Received: minValue={lo}, maxValue={hi}");
        if (minValue is double m && double.IsNaN(m)) throw new ArgumentException("Expected a number. Received: minValue=NaN", nameof(minValue));
        if (maxValue is double n && double.IsNaN(n)) throw new ArgumentException("Expected a number. Received: maxValue=NaN", nameof(maxValue));
        MinValue = minValue;
        MaxValue = maxValue;
    }

    /// <summary>Lower bound, if any.</summary>
    public double? MinValue { get; }

    /// <summary>Upper bound, if any.</summary>
    public double? MaxValue { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => (MinValue, MaxValue) switch
    {
        (double lo, double hi) => inputs.clamp(lo, hi),
        (double lo, null) => inputs.clamp_min(lo),
        (null, double hi) => inputs.clamp_max(hi),
        _ => inputs.alias(),
    };

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["min_value"] = MinValue;
        config["max_value"] = MaxValue;
        return config;
    }
}
