using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// A 2-D convolution over N×C×H×W inputs: <c>activation(conv2d(inputs, kernel) + bias)</c>.
/// The kernel is laid out <c>(filters, in / groups, kh, kw)</c>, the layout of libtorch, PyTorch and ONNX weights.
/// <para>Padding <c>"valid"</c> adds none; <c>"same"</c> pads as Keras (TensorFlow) does, so the output is
/// ⌈input / stride⌉ and, when the total padding is odd, the extra row or column goes at the bottom or right — the
/// pads are computed for each input size. <c>explicitPadding</c> (top, bottom, left, right), used for imported
/// models, replaces <c>padding</c>.</para>
/// </summary>
public sealed class Conv2D : Layer, IFoldableConvolution
{
    private readonly Window2D _window;

    /// <summary>Creates the layer with square kernel, strides and dilation.</summary>
    /// <param name="filters">Number of output channels.</param>
    /// <param name="kernelSize">Height and width of the kernel.</param>
    /// <param name="strides">Step of the window along H and W.</param>
    /// <param name="padding"><c>"valid"</c> (none) or <c>"same"</c> (TensorFlow's pads; case-insensitive).</param>
    /// <param name="dilationRate">Spacing between kernel taps.</param>
    /// <param name="groups">Number of channel groups; input channels and filters must both be divisible by it.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="activation">Activation by Keras name or <see cref="Activations"/>; none (linear) by default.</param>
    /// <param name="kernelInitializer">Kernel initializer; Keras's default <c>glorot_uniform</c>.</param>
    /// <param name="biasInitializer">Bias initializer; <c>zeros</c>.</param>
    /// <param name="name">Layer name.</param>
    public Conv2D(int filters, int kernelSize, int strides = 1, string padding = "valid", int dilationRate = 1, int groups = 1,
                  bool useBias = true, ActivationFunction? activation = null, Initializer? kernelInitializer = null,
                  Initializer? biasInitializer = null, string? name = null)
        : this(filters, (kernelSize, kernelSize), (strides, strides), padding, (dilationRate, dilationRate), groups, useBias,
               activation, kernelInitializer, biasInitializer, null, name)
    {
    }

    /// <summary>Creates the layer with separate sizes along H and W, and optionally explicit pads.</summary>
    /// <param name="filters">Number of output channels.</param>
    /// <param name="kernelSize">Height and width of the kernel.</param>
    /// <param name="strides">Step of the window along H and W; (1, 1) by default.</param>
    /// <param name="padding"><c>"valid"</c> (none) or <c>"same"</c> (TensorFlow's pads; case-insensitive).</param>
    /// <param name="dilationRate">Spacing between kernel taps along H and W; (1, 1) by default.</param>
    /// <param name="groups">Number of channel groups; input channels and filters must both be divisible by it.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="activation">Activation by Keras name or <see cref="Activations"/>; none (linear) by default.</param>
    /// <param name="kernelInitializer">Kernel initializer; Keras's default <c>glorot_uniform</c>.</param>
    /// <param name="biasInitializer">Bias initializer; <c>zeros</c>.</param>
    /// <param name="explicitPadding">Zero pads (top, bottom, left, right), as ONNX gives them; replaces <paramref name="padding"/>.</param>
    /// <param name="name">Layer name.</param>
    public Conv2D(int filters, (int Height, int Width) kernelSize, (int Height, int Width)? strides = null, string padding = "valid",
                  (int Height, int Width)? dilationRate = null, int groups = 1, bool useBias = true, ActivationFunction? activation = null,
                  Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
                  (int Top, int Bottom, int Left, int Right)? explicitPadding = null, string? name = null)
        : base(name)
    {
        Filters = LayerArgs.Positive(this, filters, nameof(filters));
        KernelSize = LayerArgs.Positive(this, kernelSize, nameof(kernelSize));
        Strides = LayerArgs.Positive(this, strides ?? (1, 1), nameof(strides));
        Padding = LayerArgs.Padding(this, padding);
        DilationRate = LayerArgs.Positive(this, dilationRate ?? (1, 1), nameof(dilationRate));
        Groups = LayerArgs.Positive(this, groups, nameof(groups));
        if (filters % groups != 0)
            throw new ArgumentException($"Invalid argument for {LayerArgs.Who(this)}: filters must be divisible by groups. Received: filters={filters}, groups={groups}", nameof(groups));
        UseBias = useBias;
        Activation = activation ?? Activations.Linear;
        KernelInitializer = kernelInitializer ?? Initializers.GlorotUniform;
        BiasInitializer = biasInitializer ?? Initializers.Zeros;
        if (explicitPadding is { } pads) ExplicitPadding = LayerArgs.NonNegative(this, pads, nameof(explicitPadding));
        _window = new Window2D(this, KernelSize, Strides, DilationRate, Padding, ExplicitPadding, ceilMode: false);
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }
    /// <summary>Kernel height and width.</summary>
    public (int Height, int Width) KernelSize { get; }
    /// <summary>Window steps along H and W.</summary>
    public (int Height, int Width) Strides { get; }
    /// <summary><c>"valid"</c> or <c>"same"</c> (lower case); ignored when <see cref="ExplicitPadding"/> is set.</summary>
    public string Padding { get; }
    /// <summary>Spacing between kernel taps along H and W.</summary>
    public (int Height, int Width) DilationRate { get; }
    /// <summary>Number of channel groups.</summary>
    public int Groups { get; }
    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }
    /// <summary>The activation applied to the output.</summary>
    public ActivationFunction Activation { get; }
    /// <summary>The kernel's initializer.</summary>
    public Initializer KernelInitializer { get; }
    /// <summary>The bias's initializer.</summary>
    public Initializer BiasInitializer { get; }
    /// <summary>Explicit zero pads (top, bottom, left, right), if given.</summary>
    public (int Top, int Bottom, int Left, int Right)? ExplicitPadding { get; }

    /// <summary>The kernel, <c>(filters, in / groups, kh, kw)</c>; null before the layer is built.</summary>
    public Variable? Kernel { get; private set; }
    /// <summary>The bias, <c>(filters)</c>; null before build or without bias.</summary>
    public Variable? Bias { get; private set; }

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        LayerArgs.RequireRank(this, inputShape, 4, "(N, C, H, W)");
        long channels = inputShape[1];
        if (channels <= 0)
            throw LayerArgs.Error(this, $"the channel dimension (axis 1) of the inputs must be known. Received input shape {Shapes.Format(inputShape)}.");
        if (channels % Groups != 0)
            throw LayerArgs.Error(this, $"the number of input channels ({channels}) must be divisible by groups ({Groups}). Received input shape {Shapes.Format(inputShape)}.");
        long[] shape = [Filters, channels / Groups, KernelSize.Height, KernelSize.Width];
        Kernel = AddWeight("kernel", shape, KernelInitializer, fans: Fans.FromOihw(shape));
        if (UseBias) Bias = AddWeight("bias", [Filters], BiasInitializer);
        InputSpec = new InputSpec(rank: 4, axes: new Dictionary<int, long> { [1] = channels });
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) =>
        Activation.Apply(_window.Convolve(inputs, Kernel!.Value, Bias?.Value, Groups));

    /// <summary>The convolution with other weights (folded ones), same window and groups, no activation.</summary>
    internal Tensor ConvolveWith(Tensor inputs, Tensor kernel, Tensor? bias) => _window.Convolve(inputs, kernel, bias, Groups);

    bool IFoldableConvolution.IsLinear => Activation == Activations.Linear;

    Variable IFoldableConvolution.Kernel => Kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built.");

    Tensor IFoldableConvolution.ConvolveWith(Tensor inputs, Tensor kernel, Tensor? bias) => ConvolveWith(inputs, kernel, bias);

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        LayerArgs.RequireRank(this, inputShape, 4, "(N, C, H, W)");
        var (h, w) = _window.OutputSize(inputShape);
        return [inputShape[0], Filters, h, w];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["filters"] = Filters;
        config["kernel_size"] = new[] { KernelSize.Height, KernelSize.Width };
        config["strides"] = new[] { Strides.Height, Strides.Width };
        config["padding"] = Padding;
        config["dilation_rate"] = new[] { DilationRate.Height, DilationRate.Width };
        config["groups"] = Groups;
        config["use_bias"] = UseBias;
        config["activation"] = Activation.Name;
        config["kernel_initializer"] = KernelInitializer.Name;
        config["bias_initializer"] = BiasInitializer.Name;
        config["explicit_padding"] = ExplicitPadding is { } p ? new[] { p.Top, p.Bottom, p.Left, p.Right } : null;
        return config;
    }
}
