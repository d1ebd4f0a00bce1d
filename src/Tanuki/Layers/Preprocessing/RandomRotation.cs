using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Rotates each image by a random angle in training (the identity — the same tensor — otherwise), as Keras:
/// the angle is drawn uniformly in [lower, upper] × 360°, positive counter-clockwise, about the image centre; pixels
/// from outside the image are filled by <see cref="FillMode"/>.
/// </summary>
public sealed class RandomRotation : Layer
{
    private readonly RandomSource _random;
    private readonly bool _symmetric;

    /// <summary>Creates the layer with angles in [−factor, factor] × 360° (0.1 → up to ±36°).</summary>
    /// <param name="factor">Fraction of a full turn, in [−1, 1]; its absolute value is used.</param>
    /// <param name="fillMode">"reflect" (default), "wrap", "constant" or "nearest": how pixels outside the image are read.</param>
    /// <param name="interpolation">"bilinear" (default) or "nearest".</param>
    /// <param name="seed">Seed for a reproducible sequence of angles.</param>
    /// <param name="fillValue">The value outside the image with fillMode "constant".</param>
    /// <param name="name">Layer name.</param>
    public RandomRotation(double factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
                          double fillValue = 0, string? name = null)
        : this((-Math.Abs(factor), Math.Abs(factor)), fillMode, interpolation, seed, fillValue, name, symmetric: true, received: Augmentation.Format(factor)) { }

    /// <summary>Creates the layer with angles in [factor.Lower, factor.Upper] × 360° (positive: counter-clockwise).</summary>
    public RandomRotation((double Lower, double Upper) factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
                          double fillValue = 0, string? name = null)
        : this(factor, fillMode, interpolation, seed, fillValue, name, symmetric: false, received: factor.ToString()) { }

    private RandomRotation((double Lower, double Upper) factor, string fillMode, string interpolation, int? seed, double fillValue,
                           string? name, bool symmetric, string received) : base(name)
    {
        Factor = Augmentation.Factor(factor.Lower, factor.Upper, -1, 1, minExclusive: false, "factor", received);
        FillMode = Guard.OneOf(fillMode, Augmentation.FillModes);
        Interpolation = Guard.OneOf(interpolation, Augmentation.AffineInterpolations);
        Seed = seed;
        FillValue = fillValue;
        _symmetric = symmetric;
        _random = new RandomSource(seed);
    }

    /// <summary>The range of angles, as fractions of a full turn.</summary>
    public (double Lower, double Upper) Factor { get; }

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

    /// <summary>Draws <paramref name="n"/> angles in degrees (what training uses, one per image).</summary>
    internal Tensor DrawAngles(long n) => _random.Uniform(n, Factor.Lower * 360, Factor.Upper * 360);

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        if (!training) return inputs;
        var (images, unbatched) = Augmentation.AsBatch(inputs, Name);
        Tensor output = Rotate(images, DrawAngles(images.shape[0]));
        return unbatched ? output.squeeze(0) : output;
    }

    /// <summary>Rotates each image by its angle (degrees, counter-clockwise).</summary>
    internal Tensor Rotate(Tensor images, Tensor degrees) =>
        AffineSampler.Transform(images, RotationMatrix(degrees, images.shape[2], images.shape[3]), Interpolation, FillMode, FillValue);

    /// <summary>Keras's rotation matrix about the centre ((W − 1) / 2, (H − 1) / 2), output → input coordinates.</summary>
    internal static Tensor RotationMatrix(Tensor degrees, long height, long width)
    {
        Tensor theta = degrees.to_type(ScalarType.Float64) * (Math.PI / 180);
        Tensor cos = theta.cos(), sin = theta.sin();
        double cx = 0.5 * (width - 1), cy = 0.5 * (height - 1);
        Tensor a0 = cos, a1 = -sin, b0 = sin, b1 = cos;
        Tensor a2 = cx - cx * a0 - cy * a1;
        Tensor b2 = cy - cx * b0 - cy * b1;
        return torch.stack([a0, a1, a2, b0, b1, b2], 1).to_type(ScalarType.Float32);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["factor"] = Augmentation.FactorConfig(Factor, _symmetric);
        config["fill_mode"] = FillMode;
        config["interpolation"] = Interpolation;
        config["seed"] = Seed;
        config["fill_value"] = FillValue;
        return config;
    }
}
