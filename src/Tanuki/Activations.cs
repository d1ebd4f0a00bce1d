using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki;

/// <summary>An element-wise activation function with its Keras name.</summary>
public sealed class ActivationFunction
{
    private readonly Func<Tensor, Tensor> _fn;

    internal ActivationFunction(string name, Func<Tensor, Tensor> fn)
    {
        Name = name;
        _fn = fn;
    }

    /// <summary>The Keras name (<c>relu</c>, <c>sigmoid</c>, ...).</summary>
    public string Name { get; }

    /// <summary>Applies the function.</summary>
    public Tensor Apply(Tensor x) => _fn(x);

    /// <summary>Accepts Keras names where an activation is expected.</summary>
    public static implicit operator ActivationFunction(string name) => Activations.Get(name);

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>The activations by name and as objects (Keras's <c>keras.activations</c>).</summary>
public static class Activations
{
    /// <summary>The identity (<c>linear</c>).</summary>
    public static ActivationFunction Linear { get; } = new("linear", x => x);
    /// <summary>max(x, 0).</summary>
    public static ActivationFunction Relu { get; } = new("relu", x => F.relu(x));
    /// <summary>min(max(x, 0), 6).</summary>
    public static ActivationFunction Relu6 { get; } = new("relu6", x => F.relu6(x));
    /// <summary>1 / (1 + exp(-x)).</summary>
    public static ActivationFunction Sigmoid { get; } = new("sigmoid", x => x.sigmoid());
    /// <summary>tanh(x).</summary>
    public static ActivationFunction Tanh { get; } = new("tanh", x => x.tanh());
    /// <summary>Softmax over the last axis.</summary>
    public static ActivationFunction Softmax { get; } = new("softmax", x => x.softmax(-1));
    /// <summary>Log of softmax over the last axis.</summary>
    public static ActivationFunction LogSoftmax { get; } = new("log_softmax", x => x.log_softmax(-1));
    /// <summary>x · sigmoid(x).</summary>
    public static ActivationFunction Silu { get; } = new("silu", x => F.silu(x));
    /// <summary>Gaussian error linear unit (exact).</summary>
    public static ActivationFunction Gelu { get; } = new("gelu", x => F.gelu(x));
    /// <summary>Exponential linear unit (alpha 1).</summary>
    public static ActivationFunction Elu { get; } = new("elu", x => F.elu(x, 1.0));
    /// <summary>Scaled exponential linear unit.</summary>
    public static ActivationFunction Selu { get; } = new("selu", x => F.selu(x));
    /// <summary>log(1 + exp(x)).</summary>
    public static ActivationFunction Softplus { get; } = new("softplus", x => F.softplus(x));
    /// <summary>Piecewise-linear sigmoid, Keras 3's: <c>relu6(x + 3) / 6</c> (ONNX's HardSigmoid with alpha 1/6, beta 0.5).</summary>
    public static ActivationFunction HardSigmoid { get; } = new("hard_sigmoid", x => F.hardsigmoid(x));
    /// <summary>x · hard_sigmoid(x), MobileNetV3's "hard swish" (ONNX's HardSwish); Keras's name is <c>hard_silu</c>.</summary>
    public static ActivationFunction HardSilu { get; } = new("hard_silu", x => F.hardswish(x));
    /// <summary>Leaky ReLU with Keras's default slope 0.2.</summary>
    public static ActivationFunction LeakyRelu { get; } = new("leaky_relu", x => F.leaky_relu(x, 0.2));
    /// <summary>exp(x).</summary>
    public static ActivationFunction Exponential { get; } = new("exponential", x => x.exp());

    private static readonly Dictionary<string, ActivationFunction> s_byName = new[]
    {
        Linear, Relu, Relu6, Sigmoid, Tanh, Softmax, LogSoftmax, Silu, Gelu, Elu, Selu, Softplus, LeakyRelu, Exponential, HardSigmoid, HardSilu,
    }.ToDictionary(a => a.Name);

    /// <summary>Looks an activation up by its Keras name; <c>swish</c> is <c>silu</c>, <c>hard_swish</c> is
    /// <c>hard_silu</c>, null or empty is <c>linear</c>.</summary>
    public static ActivationFunction Get(string? name)
    {
        if (string.IsNullOrEmpty(name)) return Linear;
        if (name == "swish") return Silu;
        if (name == "hard_swish") return HardSilu;
        return s_byName.TryGetValue(name, out var a)
            ? a
            : throw new ArgumentException($"Unknown activation \"{name}\". Expected one of: {string.Join(", ", s_byName.Keys)}, swish, hard_swish.", nameof(name));
    }
}
