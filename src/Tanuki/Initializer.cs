using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>Fan-in and fan-out of a weight, for variance-scaling initializers.</summary>
/// <param name="In">Inputs feeding one output unit.</param>
/// <param name="Out">Outputs one input unit feeds.</param>
public readonly record struct Fans(double In, double Out)
{
    /// <summary>Keras's rule for a shape laid out <c>(..., in, out)</c>: receptive field × last two dims.</summary>
    public static Fans FromKerasShape(long[] shape) => shape.Length switch
    {
        0 => new Fans(1, 1),
        1 => new Fans(shape[0], shape[0]),
        2 => new Fans(shape[0], shape[1]),
        _ => new Fans(shape[^2] * Shapes.Product(shape[..^2]), shape[^1] * Shapes.Product(shape[..^2])),
    };

    /// <summary>For a convolution kernel laid out <c>(out, in/groups, h, w)</c>, the layout of libtorch and ONNX.</summary>
    public static Fans FromOihw(long[] shape)
    {
        double receptive = Shapes.Product(shape[2..]);
        return new Fans(shape[1] * receptive, shape[0] * receptive);
    }
}

/// <summary>How a new weight is filled. Keras's names are accepted where an initializer is expected.</summary>
public abstract class Initializer
{
    /// <summary>The Keras name, e.g. <c>glorot_uniform</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Makes a tensor of <paramref name="shape"/> (float32, CPU).</summary>
    public abstract Tensor Create(long[] shape, Fans fans);

    /// <summary>Accepts Keras names where an initializer is expected.</summary>
    public static implicit operator Initializer(string name) => Initializers.Get(name);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The initializers, by name and as objects (Keras's <c>keras.initializers</c>).</summary>
public static class Initializers
{
    /// <summary>All zeros.</summary>
    public static Initializer Zeros { get; } = new Fill("zeros", 0);
    /// <summary>All ones.</summary>
    public static Initializer Ones { get; } = new Fill("ones", 1);
    /// <summary>Uniform in ±sqrt(6 / (fan_in + fan_out)) (Keras's default for kernels).</summary>
    public static Initializer GlorotUniform { get; } = new VarianceScaling("glorot_uniform", 1, FanMode.Avg, uniform: true);
    /// <summary>Truncated normal with variance 1 / fan_avg.</summary>
    public static Initializer GlorotNormal { get; } = new VarianceScaling("glorot_normal", 1, FanMode.Avg, uniform: false);
    /// <summary>Truncated normal with variance 2 / fan_in.</summary>
    public static Initializer HeNormal { get; } = new VarianceScaling("he_normal", 2, FanMode.In, uniform: false);
    /// <summary>Uniform with variance 2 / fan_in.</summary>
    public static Initializer HeUniform { get; } = new VarianceScaling("he_uniform", 2, FanMode.In, uniform: true);
    /// <summary>Truncated normal with variance 1 / fan_in.</summary>
    public static Initializer LecunNormal { get; } = new VarianceScaling("lecun_normal", 1, FanMode.In, uniform: false);
    /// <summary>Uniform with variance 1 / fan_in.</summary>
    public static Initializer LecunUniform { get; } = new VarianceScaling("lecun_uniform", 1, FanMode.In, uniform: true);

    /// <summary>A constant value.</summary>
    public static Initializer Constant(double value) => new Fill("constant", value);

    /// <summary>Looks an initializer up by its Keras name.</summary>
    public static Initializer Get(string name) => name switch
    {
        "zeros" => Zeros,
        "ones" => Ones,
        "glorot_uniform" => GlorotUniform,
        "glorot_normal" => GlorotNormal,
        "he_normal" => HeNormal,
        "he_uniform" => HeUniform,
        "lecun_normal" => LecunNormal,
        "lecun_uniform" => LecunUniform,
        _ => throw new ArgumentException(
            $"Unknown initializer \"{name}\". Expected one of: zeros, ones, glorot_uniform, glorot_normal, he_normal, he_uniform, lecun_normal, lecun_uniform.", nameof(name)),
    };

    private enum FanMode { In, Out, Avg }

    private sealed class Fill(string name, double value) : Initializer
    {
        public override string Name => name;
        public override Tensor Create(long[] shape, Fans fans) => torch.full(shape, value, dtype: ScalarType.Float32);
    }

    private sealed class VarianceScaling(string name, double scale, FanMode mode, bool uniform) : Initializer
    {
        public override string Name => name;

        public override Tensor Create(long[] shape, Fans fans)
        {
            double n = mode switch { FanMode.In => fans.In, FanMode.Out => fans.Out, _ => (fans.In + fans.Out) / 2 };
            double variance = scale / Math.Max(1.0, n);
            if (uniform)
            {
                double limit = Math.Sqrt(3 * variance);
                return torch.empty(shape, dtype: ScalarType.Float32).uniform_(-limit, limit);
            }
            // Keras: a normal truncated at two standard deviations, whose std is corrected for the truncation.
            // Sampled by inverting the CDF on [Φ(−2), Φ(2)] (TorchSharp 0.107's trunc_normal_ returns a constant).
            double std = Math.Sqrt(variance) / 0.87962566103423978;
            const double lo = 0.022750131948179195, hi = 0.9772498680518208;   // Φ(−2), Φ(2)
            Tensor u = torch.empty(shape, dtype: ScalarType.Float64).uniform_(lo, hi);
            return (torch.special.erfinv(u * 2 - 1) * (Math.Sqrt(2) * std)).clamp(-2 * std, 2 * std).to_type(ScalarType.Float32);
        }
    }
}
