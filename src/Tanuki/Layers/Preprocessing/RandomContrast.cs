using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Scales each image's contrast by a random factor in training (the identity — the same tensor — otherwise), as
/// Keras: per image and channel, <c>(x − mean) · c + mean</c> with c drawn in [1 − lower, 1 + upper] and the mean
/// over the image's pixels, then clipped to <see cref="ValueRange"/>.
/// </summary>
public sealed class RandomContrast : Layer
{
    private readonly RandomSource _random;
    private readonly bool _symmetric;

    /// <summary>Creates the layer with contrast factors in [1 − factor, 1 + factor].</summary>
    /// <param name="factor">A fraction in [0, 1].</param>
    /// <param name="valueRange">The range of the pixel values, outputs are clipped to it; (0, 255) when null.</param>
    /// <param name="seed">Seed for a reproducible sequence of factors.</param>
    /// <param name="name">Layer name.</param>
    public RandomContrast(double factor, (double Min, double Max)? valueRange = null, int? seed = null, string? name = null)
        : this((factor, factor), valueRange, seed, name, symmetric: true, received: Augmentation.Format(factor)) { }

    /// <summary>Creates the layer with contrast factors in [1 − factor.Lower, 1 + factor.Upper].</summary>
    public RandomContrast((double Lower, double Upper) factor, (double Min, double Max)? valueRange = null, int? seed = null, string? name = null)
        : this(factor, valueRange, seed, name, symmetric: false, received: factor.ToString()) { }

    private RandomContrast((double Lower, double Upper) factor, (double Min, double Max)? valueRange, int? seed, string? name,
                           bool symmetric, string received) : base(name)
    {
        foreach (double f in new[] { factor.Lower, factor.Upper })
            if (!(f >= 0 && f <= 1))
                throw new ArgumentOutOfRangeException(nameof(factor), $"The `factor` argument should be a number (or a pair of numbers) in the range [0, 1]. Received: factor={received}");
        Factor = factor;
        ValueRange = valueRange ?? (0, 255);
        if (!(ValueRange.Min < ValueRange.Max))
            throw new ArgumentException($"valueRange must be (min, max) with min < max. Received: valueRange={ValueRange}", nameof(valueRange));
        Seed = seed;
        _symmetric = symmetric;
        _random = new RandomSource(seed);
    }

    /// <summary>(lower, upper): contrast factors are drawn in [1 − lower, 1 + upper].</summary>
    public (double Lower, double Upper) Factor { get; }

    /// <summary>The range outputs are clipped to.</summary>
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
        Tensor c = _random.Uniform(images.shape[0], 1 - Factor.Lower, 1 + Factor.Upper).to(images.dtype).to(images.device).reshape(-1, 1, 1, 1);
        Tensor mean = images.mean([2, 3], keepdim: true);
        Tensor output = ((images - mean) * c + mean).clamp(ValueRange.Min, ValueRange.Max);
        return unbatched ? output.squeeze(0) : output;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["factor"] = _symmetric ? Factor.Upper : new[] { Factor.Lower, Factor.Upper };
        config["value_range"] = new[] { ValueRange.Min, ValueRange.Max };
        config["seed"] = Seed;
        return config;
    }
}
