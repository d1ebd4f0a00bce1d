using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Layers;

/// <summary>
/// Rectified linear unit with Keras's options: <c>min(maxValue, x)</c> for x ≥ threshold,
/// <c>negativeSlope · (x − threshold)</c> below it.
/// </summary>
public sealed class ReLU : Layer, IMaybeRelu
{
    /// <summary>Creates the layer.</summary>
    /// <param name="maxValue">Upper bound of the output (6 gives ReLU6); none by default.</param>
    /// <param name="negativeSlope">Slope below the threshold.</param>
    /// <param name="threshold">Where the function bends.</param>
    /// <param name="name">Layer name.</param>
    public ReLU(double? maxValue = null, double negativeSlope = 0, double threshold = 0, string? name = null) : base(name)
    {
        if (maxValue is double m && m < 0)
            throw new ArgumentOutOfRangeException(nameof(maxValue), m, $"maxValue of a ReLU layer cannot be negative. Received: maxValue={m}");
        MaxValue = maxValue;
        NegativeSlope = Guard.NonNegative(negativeSlope);
        Threshold = threshold;
    }

    /// <summary>Upper bound, if any.</summary>
    public double? MaxValue { get; }

    /// <summary>Slope below the threshold.</summary>
    public double NegativeSlope { get; }

    /// <summary>Where the function bends.</summary>
    public double Threshold { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        Tensor y;
        if (Threshold == 0 && NegativeSlope == 0) y = F.relu(inputs);
        else if (Threshold == 0) y = F.leaky_relu(inputs, NegativeSlope);
        else y = torch.where(inputs >= Threshold, inputs, (inputs - Threshold) * NegativeSlope);
        if (MaxValue is double m) y = y.clamp_max(m);
        return y;
    }

    bool IMaybeRelu.IsPlainRelu => MaxValue is null && NegativeSlope == 0 && Threshold == 0;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["max_value"] = MaxValue;
        config["negative_slope"] = NegativeSlope;
        config["threshold"] = Threshold;
        return config;
    }
}
