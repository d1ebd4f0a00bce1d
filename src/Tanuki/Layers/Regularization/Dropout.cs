using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Sets a fraction <see cref="Rate"/> of inputs to 0 in training and scales the rest by 1 / (1 − rate);
/// the identity in inference.
/// </summary>
public sealed class Dropout : Layer
{
    private readonly Generator? _generator;

    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of the inputs to drop, in [0, 1).</param>
    /// <param name="seed">Seed for a reproducible mask sequence; the global generator when null.</param>
    /// <param name="name">Layer name.</param>
    public Dropout(double rate, int? seed = null, string? name = null) : base(name)
    {
        if (!(rate >= 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate={rate}");
        Rate = rate;
        Seed = seed;
        if (seed is int s) _generator = new Generator((ulong)s, torch.CPU);
    }

    /// <summary>Fraction of inputs dropped in training.</summary>
    public double Rate { get; }

    /// <summary>The seed, if given.</summary>
    public int? Seed { get; }

    /// <inheritdoc />
    public override bool IsRandom => Rate > 0;

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        if (!training || Rate == 0) return inputs;
        Tensor keep = _generator is null
            ? torch.empty_like(inputs).bernoulli_(1 - Rate)
            : torch.empty(inputs.shape, dtype: inputs.dtype).bernoulli_(1 - Rate, generator: _generator).to(inputs.device);
        using Scalar scale = 1 / (1 - Rate);   // see Scalars
        return (inputs * keep).mul_(scale);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["rate"] = Rate;
        config["seed"] = Seed;
        return config;
    }
}
