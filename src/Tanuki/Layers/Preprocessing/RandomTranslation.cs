using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Shifts each image by a random offset in training (the identity — the same tensor — otherwise), as Keras: the
/// vertical shift is a draw in [lower, upper] × height (positive: down), the horizontal one × width (positive:
/// right); uncovered pixels are filled by <see cref="FillMode"/>.
/// </summary>
public sealed class RandomTranslation : Layer
{
    private readonly RandomSource _random;
    private readonly bool _symmetric;

    /// <summary>Creates the layer with shifts up to ±heightFactor × height and ±widthFactor × width.</summary>
    /// <param name="heightFactor">Vertical range, a fraction of the height in [−1, 1]; its absolute value is used.</param>
    /// <param name="widthFactor">Horizontal range, a fraction of the width in [−1, 1]; its absolute value is used.</param>
    /// <param name="fillMode">"reflect" (default), "wrap", "constant" or "nearest".</param>
    /// <param name="interpolation">"bilinear" (default) or "nearest".</param>
    /// <param name="seed">Seed for a reproducible sequence of shifts.</param>
    /// <param name="fillValue">The value outside the image with fillMode "constant".</param>
    /// <param name="name">Layer name.</param>
    public RandomTranslation(double heightFactor, double widthFactor, string fillMode = "reflect", string interpolation = "bilinear",
                             int? seed = null, double fillValue = 0, string? name = null)
        : this((-Math.Abs(heightFactor), Math.Abs(heightFactor)), (-Math.Abs(widthFactor), Math.Abs(widthFactor)),
               fillMode, interpolation, seed, fillValue, name, symmetric: true) { }

    /// <summary>Creates the layer with (lower, upper) ranges: (−0.2, 0.3) shifts between 20 % up and 30 % down.</summary>
    public RandomTranslation((double Lower, double Upper) heightFactor, (double Lower, double Upper) widthFactor, string fillMode = "reflect",
                             string interpolation = "bilinear", int? seed = null, double fillValue = 0, string? name = null)
        : this(heightFactor, widthFactor, fillMode, interpolation, seed, fillValue, name, symmetric: false) { }

    private RandomTranslation((double Lower, double Upper) heightFactor, (double Lower, double Upper) widthFactor, string fillMode,
                              string interpolation, int? seed, double fillValue, string? name, bool symmetric) : base(name)
    {
        HeightFactor = Augmentation.Factor(heightFactor.Lower, heightFactor.Upper, -1, 1, minExclusive: false, "heightFactor", heightFactor.ToString());
        WidthFactor = Augmentation.Factor(widthFactor.Lower, widthFactor.Upper, -1, 1, minExclusive: false, "widthFactor", widthFactor.ToString());
        FillMode = Guard.OneOf(fillMode, Augmentation.FillModes);
        Interpolation = Guard.OneOf(interpolation, Augmentation.AffineInterpolations);
        Seed = seed;
        FillValue = fillValue;
        _symmetric = symmetric;
        _random = new RandomSource(seed);
    }

    /// <summary>The vertical range, as fractions of the height.</summary>
    public (double Lower, double Upper) HeightFactor { get; }

    /// <summary>The horizontal range, as fractions of the width.</summary>
    public (double Lower, double Upper) WidthFactor { get; }

    /// <summary>How pixels from outside the image are filled.</summary>
    public string FillMode { get; }

    /// <summary>"bilinear" or "nearest".</summary>
    public string Interpolation { get; }

    /// <summary>The seed, if given.</summary>
    public int? Seed { get; }

    /// <summary>The value outside the image with fillMode "constant".</summary>
    public double FillValue { get; }

    /// <inheritdoc />
    public override bool IsRandom => true;

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        if (!training) return inputs;
        var (images, unbatched) = Augmentation.AsBatch(inputs, Name);
        long n = images.shape[0], h = images.shape[2], w = images.shape[3];
        Tensor dy = _random.Uniform(n, HeightFactor.Lower, HeightFactor.Upper) * h;
        Tensor dx = _random.Uniform(n, WidthFactor.Lower, WidthFactor.Upper) * w;
        Tensor output = AffineSampler.Transform(images, TranslationMatrix(dy, dx), Interpolation, FillMode, FillValue);
        return unbatched ? output.squeeze(0) : output;
    }

    /// <summary>Keras's translation matrix, output → input coordinates (shifts in pixels).</summary>
    internal static Tensor TranslationMatrix(Tensor dy, Tensor dx)
    {
        Tensor one = torch.ones_like(dy), zero = torch.zeros_like(dy);
        return torch.stack([one, zero, -dx, zero, one, -dy], 1);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["height_factor"] = Augmentation.FactorConfig(HeightFactor, _symmetric);
        config["width_factor"] = Augmentation.FactorConfig(WidthFactor, _symmetric);
        config["fill_mode"] = FillMode;
        config["interpolation"] = Interpolation;
        config["seed"] = Seed;
        config["fill_value"] = FillValue;
        return config;
    }
}
