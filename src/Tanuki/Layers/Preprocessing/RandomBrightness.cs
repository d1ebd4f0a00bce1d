using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Adds a random brightness offset to each image in training (the identity — the same tensor — otherwise), as
/// Keras: the offset is a draw in [lower, upper] times the width of <see cref="ValueRange"/>, the same for every
/// channel, and the result is clipped to that range.
/// </summary>
public sealed class RandomBrightness : Layer
{
    private readonly RandomSource _random;
    private readonly bool _symmetric;

    /// <summary>Creates the layer with offsets in [−factor, factor] × (max − min).</summary>
    /// <param name="factor">A fraction in [−1, 1]; its absolute value is used (0.2 → ±51 for 0–255 images).</param>
    /// <param name="valueRange">The range of the pixel values; (0, 255) when null.</param>
    /// <param name="seed">Seed for a reproducible sequence of offsets.</param>
    /// <param name="name">Layer name.</param>
    public RandomBrightness(double factor, (double Min, double Max)? valueRange = null, int? seed = null, string? name = null)
        : this((-Math.Abs(factor), Math.Abs(factor)), valueRange, seed, name, symmetric: true, received: Augmentation.Format(factor)) { }

    /// <summary>Creates the layer with offsets in [factor.Lower, factor.Upper] × (max − min).</summary>
    public RandomBrightness((double Lower, double Upper) factor, (double Min, double Max)? valueRange = null, int? seed = null, string? name = null)
        : this(factor, valueRange, seed, name, symmetric: false, received: factor.ToString()) { }

    private RandomBrightness((double Lower, double Upper) factor, (double Min, double Max)? valueRange, int? seed, string? name,
                             bool symmetric, string received) : base(name)
    {
        Factor = Augmentation.Factor(factor.Lower, factor.Upper, -1, 1, minExclusive: false, "factor", received);
        ValueRange = valueRange ?? (0, 255);
        if (!(ValueRange.Min < ValueRange.Max))
            throw new ArgumentException($"valueRange must be (min, max) with min < max. Received: valueRange={ValueRange}", nameof(valueRange));
        Seed = seed;
        _symmetric = symmetric;
        _random = new RandomSource(seed);
    }

    /// <summary>The range of offsets, as fractions of the value range.</summary>
    public (double Lower, double Upper) Factor { get; }

    /// <summary>The range of the pixel values; outputs are clipped to it.</summary>
    public (double Min, double Max) ValueRange { get; }

    /// <summary>The seed, if given.</summary>
    public int? Seed { get; }

    /// <inheritdoc />
    public override bool IsRandom => true;

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        if (!training) return inputs;
        var (images, unbatched) = Augmentation.AsBatch(inputs, Name);
        Tensor delta = (_random.Uniform(images.shape[0], Factor.Lower, Factor.Upper) * (ValueRange.Max - ValueRange.Min))
            .to(images.dtype).to(images.device).reshape(-1, 1, 1, 1);
        Tensor output = (images + delta).clamp(ValueRange.Min, ValueRange.Max);
        return unbatched ? output.squeeze(0) : output;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["factor"] = Augmentation.FactorConfig(Factor, _symmetric);
        config["value_range"] = new[] { ValueRange.Min, ValueRange.Max };
        config["seed"] = Seed;
        return config;
    }
}
