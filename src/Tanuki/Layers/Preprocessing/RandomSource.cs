using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// The random numbers of an augmentation layer: per-sample draws on the CPU from the layer's own seeded generator
/// (or the global one when unseeded), safe to use from several threads (a layer in a parallel <c>Dataset.Map</c>).
/// </summary>
internal sealed class RandomSource
{
    private readonly Generator? _generator;
    private readonly object _lock = new();

    public RandomSource(int? seed)
    {
        if (seed is int s) _generator = new Generator((ulong)s, torch.CPU);
    }

    /// <summary><paramref name="n"/> draws uniform in [low, high), float32 on the CPU.</summary>
    public Tensor Uniform(long n, double low, double high)
    {
        Tensor u;
        lock (_lock) u = _generator is null ? torch.rand(n) : torch.rand(n, generator: _generator);
        return u.mul_(high - low).add_(low);
    }
}

/// <summary>Argument checks and conversions shared by the augmentation layers.</summary>
internal static class Augmentation
{
    public static readonly string[] FillModes = ["reflect", "wrap", "constant", "nearest"];
    public static readonly string[] AffineInterpolations = ["nearest", "bilinear"];

    /// <summary>Keras's factor rule: a number f gives (−|f|, |f|); a pair is sorted; every value within the bounds.</summary>
    public static (double Lower, double Upper) Factor(double lower, double upper, double min, double max, bool minExclusive, string name, string received)
    {
        if (lower > upper) (lower, upper) = (upper, lower);
        bool ok(double v) => !double.IsNaN(v) && v <= max && (minExclusive ? v > min : v >= min);
        if (!ok(lower) || !ok(upper))
            throw new ArgumentOutOfRangeException(name,
                $"The `{name}` argument should be a number (or a pair of numbers) in the range {(minExclusive ? "(" : "[")}{min}, {max}]. Received: {name}={received}");
        return (lower, upper);
    }

    public static string Format(double v) => v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Float images as N×C×H×W (a single C×H×W image gets a batch of one); remembers whether to squeeze back.</summary>
    public static (Tensor Images, bool Unbatched) AsBatch(Tensor inputs, string layer)
    {
        if (inputs.dim() is not (3 or 4))
            throw new ArgumentException($"Layer '{layer}' expects images N×C×H×W (or one image C×H×W). Received input shape {Shapes.Format(inputs.shape)}.");
        Tensor images = inputs.is_floating_point() ? inputs : inputs.to_type(ScalarType.Float32);
        return inputs.dim() == 3 ? (images.unsqueeze(0), true) : (images, false);
    }

    /// <summary>Config value of a factor: a number when symmetric (as given), the pair otherwise.</summary>
    public static object FactorConfig((double Lower, double Upper) f, bool symmetric) => symmetric ? f.Upper : new[] { f.Lower, f.Upper };
}
