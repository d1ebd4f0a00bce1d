using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Layers;

/// <summary>Leaky rectified linear unit: <c>x</c> for x ≥ 0, <c>negativeSlope · x</c> below.</summary>
public sealed class LeakyReLU : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="negativeSlope">Slope below zero; Keras's default 0.3.</param>
    /// <param name="name">Layer name.</param>
    public LeakyReLU(double negativeSlope = 0.3, string? name = null) : base(name)
    {
        if (!(negativeSlope >= 0) || double.IsInfinity(negativeSlope))
            throw new ArgumentOutOfRangeException(nameof(negativeSlope), negativeSlope,
                $"Invalid argument for {LayerArgs.Who(this)}: expected a non-negative finite slope. Received: negativeSlope={negativeSlope}");
        NegativeSlope = negativeSlope;
    }

    /// <summary>Slope below zero.</summary>
    public double NegativeSlope { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => F.leaky_relu(inputs, NegativeSlope);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["negative_slope"] = NegativeSlope;
        return config;
    }
}
