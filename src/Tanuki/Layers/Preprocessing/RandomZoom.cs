using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Zooms each image in or out by a random amount in training (the identity — the same tensor — otherwise), as
/// Keras: the zoom is 1 + a draw in [lower, upper]; a positive factor zooms out (the image shrinks, the border is
/// filled by <see cref="FillMode"/>), a negative one zooms in. Without a width factor the aspect ratio is kept.
/// </summary>
public sealed class RandomZoom : Layer
{
    private readonly RandomSource _random;
    private readonly bool _symmetric;

    /// <summary>Creates the layer with zooms of 1 + [−heightFactor, heightFactor] (0.2 → 80 % to 120 %).</summary>
    /// <param name="heightFactor">Vertical zoom range, a fraction in (−1, 1]; its absolute value is used.</param>
    /// <param name="widthFactor">Horizontal zoom range; null: the vertical zoom is used (aspect kept).</param>
    /// <param name="fillMode">"reflect" (default), "wrap", "constant" or "nearest".</param>
    /// <param name="interpolation">"bilinear" (default) or "nearest".</param>
    /// <param name="seed">Seed for a reproducible sequence of zooms.</param>
    /// <param name="fillValue">The value outside the image with fillMode "constant".</param>
    /// <param name="name">Layer name.</param>
    public RandomZoom(double heightFactor, double? widthFactor = null, string fillMode = "reflect", string interpolation = "bilinear",
                      int? seed = null, double fillValue = 0, string? name = null)
        : this((-Math.Abs(heightFactor), Math.Abs(heightFactor)), widthFactor is double w ? (-Math.Abs(w), Math.Abs(w)) : null,
               fillMode, interpolation, seed, fillValue, name, symmetric: true) { }

    /// <summary>Creates the layer with zoom ranges given as (lower, upper) pairs: (0.2, 0.3) always zooms out by 20–30 %.</summary>
    public RandomZoom((double Lower, double Upper) heightFactor, (double Lower, double Upper)? widthFactor = null, string fillMode = "reflect",
                      string interpolation = "bilinear", int? seed = null, double fillValue = 0, string? name = null)
        : this(heightFactor, widthFactor, fillMode, interpolation, seed, fillValue, name, symmetric: false) { }

    private RandomZoom((double Lower, double Upper) heightFactor, (double Lower, double Upper)? widthFactor, string fillMode,
                       string interpolation, int? seed, double fillValue, string? name, bool symmetric) : base(name)
    {
        HeightFactor = Augmentation.Factor(heightFactor.Lower, heightFactor.Upper, -1, 1, minExclusive: true, "heightFactor", heightFactor.ToString());
        if (widthFactor is { } wf) WidthFactor = Augmentation.Factor(wf.Lower, wf.Upper, -1, 1, minExclusive: true, "widthFactor", wf.ToString());
        FillMode = Guard.OneOf(fillMode, Augmentation.FillModes);
        Interpolation = Guard.OneOf(interpolation, Augmentation.AffineInterpolations);
        Seed = seed;
        FillValue = fillValue;
        _symmetric = symmetric;
        _random = new RandomSource(seed);
    }

    /// <summary>The vertical zoom range (zoom = 1 + a draw in it).</summary>
    public (double Lower, double Upper) HeightFactor { get; }

    /// <summary>The horizontal zoom range; null when the vertical zoom is used.</summary>
    public (double Lower, double Upper)? WidthFactor { get; }

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
        long n = images.shape[0];
        Tensor heightZoom = _random.Uniform(n, 1 + HeightFactor.Lower, 1 + HeightFactor.Upper);
        Tensor widthZoom = WidthFactor is { } wf ? _random.Uniform(n, 1 + wf.Lower, 1 + wf.Upper) : heightZoom;
        Tensor output = Zoom(images, heightZoom, widthZoom);
        return unbatched ? output.squeeze(0) : output;
    }

    /// <summary>Zooms each image by its factors (greater than 1: out).</summary>
    internal Tensor Zoom(Tensor images, Tensor heightZoom, Tensor widthZoom) =>
        AffineSampler.Transform(images, ZoomMatrix(heightZoom, widthZoom, images.shape[2], images.shape[3]), Interpolation, FillMode, FillValue);

    /// <summary>Keras's zoom matrix about the centre, output → input coordinates.</summary>
    internal static Tensor ZoomMatrix(Tensor heightZoom, Tensor widthZoom, long height, long width)
    {
        Tensor zero = torch.zeros_like(heightZoom);
        Tensor xOffset = (width - 1) / 2.0 * (1 - widthZoom);
        Tensor yOffset = (height - 1) / 2.0 * (1 - heightZoom);
        return torch.stack([widthZoom, zero, xOffset, zero, heightZoom, yOffset], 1);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["height_factor"] = Augmentation.FactorConfig(HeightFactor, _symmetric);
        config["width_factor"] = WidthFactor is { } wf ? Augmentation.FactorConfig(wf, _symmetric) : null;
        config["fill_mode"] = FillMode;
        config["interpolation"] = Interpolation;
        config["seed"] = Seed;
        config["fill_value"] = FillValue;
        return config;
    }
}
