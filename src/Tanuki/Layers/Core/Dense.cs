using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// A densely connected layer: <c>activation(inputs · kernel + bias)</c>, the kernel laid out <c>(in, units)</c>
/// as in Keras. Works on the last axis of inputs of any rank ≥ 2.
/// </summary>
public sealed class Dense : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="units">Output size.</param>
    /// <param name="activation">Activation by Keras name or <see cref="Activations"/>; none (linear) by default.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="kernelInitializer">Kernel initializer; Keras's default <c>glorot_uniform</c>.</param>
    /// <param name="biasInitializer">Bias initializer; <c>zeros</c>.</param>
    /// <param name="name">Layer name.</param>
    public Dense(int units, ActivationFunction? activation = null, bool useBias = true,
                 Initializer? kernelInitializer = null, Initializer? biasInitializer = null, string? name = null)
        : base(name)
    {
        Units = Guard.Positive(units);
        Activation = activation ?? Activations.Linear;
        UseBias = useBias;
        KernelInitializer = kernelInitializer ?? Initializers.GlorotUniform;
        BiasInitializer = biasInitializer ?? Initializers.Zeros;
    }

    /// <summary>Output size.</summary>
    public int Units { get; }

    /// <summary>The activation applied to the output.</summary>
    public ActivationFunction Activation { get; }

    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }

    /// <summary>The kernel's initializer.</summary>
    public Initializer KernelInitializer { get; }

    /// <summary>The bias's initializer.</summary>
    public Initializer BiasInitializer { get; }

    /// <summary>The kernel, <c>(in, units)</c>; null before the layer is built.</summary>
    public Variable? Kernel { get; private set; }

    /// <summary>The bias, <c>(units)</c>; null before build or without bias.</summary>
    public Variable? Bias { get; private set; }

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        if (inputShape.Length < 2 || inputShape[^1] <= 0)
            throw new ArgumentException($"Layer '{Name}' needs inputs of rank >= 2 with a known last dimension. Received input shape {Shapes.Format(inputShape)}.");
        long inDim = inputShape[^1];
        Kernel = AddWeight("kernel", [inDim, Units], KernelInitializer);
        if (UseBias) Bias = AddWeight("bias", [Units], BiasInitializer);
        InputSpec = new InputSpec(minRank: 2, axes: new Dictionary<int, long> { [-1] = inDim });
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        Tensor x = MixedPrecision.Input(inputs);
        Tensor kernel = MixedPrecision.Like(Kernel!.Value, x);
        Tensor? bias = Bias is null ? null : MixedPrecision.Like(Bias.Value, x);
        Tensor y = bias is null ? x.matmul(kernel) : (x.dim() == 2 ? torch.addmm(bias, x, kernel, 1, 1) : Scalars.AddInPlace(x.matmul(kernel), bias));
        return Activation.Apply(y);
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape) => [.. inputShape[..^1], Units];

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["units"] = Units;
        config["activation"] = Activation.Name;
        config["use_bias"] = UseBias;
        config["kernel_initializer"] = KernelInitializer.Name;
        config["bias_initializer"] = BiasInitializer.Name;
        return config;
    }
}
