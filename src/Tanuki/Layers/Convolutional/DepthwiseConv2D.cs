using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// A depthwise 2-D convolution over N×C×H×W inputs: each input channel is convolved with its own
/// <see cref="DepthMultiplier"/> kernels and never mixed with the others, giving C · depthMultiplier output channels
/// (output channel <c>c · depthMultiplier + m</c> comes from input channel c, as in Keras and PyTorch).
/// The kernel is laid out <c>(C · depthMultiplier, 1, kh, kw)</c>, a grouped convolution with C groups in libtorch's
/// and ONNX's layout. Padding as in <see cref="Conv2D"/>.
/// </summary>
public sealed class DepthwiseConv2D : Layer, IFoldableConvolution
{
    private readonly Window2D _window;

    /// <summary>Creates the layer with square kernel, strides and dilation.</summary>
    /// <param name="kernelSize">Height and width of the kernel.</param>
    /// <param name="strides">Step of the window along H and W.</param>
    /// <param name="padding"><c>"valid"</c> (none) or <c>"same"</c> (TensorFlow's pads; case-insensitive).</param>
    /// <param name="depthMultiplier">Output channels per input channel.</param>
    /// <param name="dilationRate">Spacing between kernel taps.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="activation">Activation by Keras name or <see cref="Activations"/>; none (linear) by default.</param>
    /// <param name="depthwiseInitializer">Kernel initializer; Keras's default <c>glorot_uniform</c>.</param>
    /// <param name="biasInitializer">Bias initializer; <c>zeros</c>.</param>
    /// <param name="name">Layer name.</param>
    public DepthwiseConv2D(int kernelSize, int strides = 1, string padding = "valid", int depthMultiplier = 1, int dilationRate = 1,
                           bool useBias = true, ActivationFunction? activation = null, Initializer? depthwiseInitializer = null,
                           Initializer? biasInitializer = null, string? name = null)
        : this((kernelSize, kernelSize), (strides, strides), padding, depthMultiplier, (dilationRate, dilationRate), useBias,
               activation, depthwiseInitializer, biasInitializer, null, name)
    {
    }

    /// <summary>Creates the layer with separate sizes along H and W, and optionally explicit pads.</summary>
    /// <param name="kernelSize">Height and width of the kernel.</param>
    /// <param name="strides">Step of the window along H and W; (1, 1) by default.</param>
    /// <param name="padding"><c>"valid"</c> (none) or <c>"same"</c> (TensorFlow's pads; case-insensitive).</param>
    /// <param name="depthMultiplier">Output channels per input channel.</param>
    /// <param name="dilationRate">Spacing between kernel taps along H and W; (1, 1) by default.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="activation">Activation by Keras name or <see cref="Activations"/>; none (linear) by default.</param>
    /// <param name="depthwiseInitializer">Kernel initializer; Keras's default <c>glorot_uniform</c>.</param>
    /// <param name="biasInitializer">Bias initializer; <c>zeros</c>.</param>
    /// <param name="explicitPadding">Zero pads (top, bottom, left, right), as ONNX gives them; replaces <paramref name="padding"/>.</param>
    /// <param name="name">Layer name.</param>
    public DepthwiseConv2D((int Height, int Width) kernelSize, (int Height, int Width)? strides = null, string padding = "valid",
                           int depthMultiplier = 1, (int Height, int Width)? dilationRate = null, bool useBias = true,
                           ActivationFunction? activation = null, Initializer? depthwiseInitializer = null, Initializer? biasInitializer = null,
                           (int Top, int Bottom, int Left, int Right)? explicitPadding = null, string? name = null)
        : base(name)
    {
        KernelSize = LayerArgs.Positive(this, kernelSize, nameof(kernelSize));
        Strides = LayerArgs.Positive(this, strides ?? (1, 1), nameof(strides));
        Padding = LayerArgs.Padding(this, padding);
        DepthMultiplier = LayerArgs.Positive(this, depthMultiplier, nameof(depthMultiplier));
        DilationRate = LayerArgs.Positive(this, dilationRate ?? (1, 1), nameof(dilationRate));
        UseBias = useBias;
        Activation = activation ?? Activations.Linear;
        DepthwiseInitializer = depthwiseInitializer ?? Initializers.GlorotUniform;
        BiasInitializer = biasInitializer ?? Initializers.Zeros;
        if (explicitPadding is { } pads) ExplicitPadding = LayerArgs.NonNegative(this, pads, nameof(explicitPadding));
        _window = new Window2D(this, KernelSize, Strides, DilationRate, Padding, ExplicitPadding, ceilMode: false);
    }

    /// <summary>Kernel height and width.</summary>
    public (int Height, int Width) KernelSize { get; }
    /// <summary>Window steps along H and W.</summary>
    public (int Height, int Width) Strides { get; }
    /// <summary><c>"valid"</c> or <c>"same"</c> (lower case); ignored when <see cref="ExplicitPadding"/> is set.</summary>
    public string Padding { get; }
    /// <summary>Output channels per input channel.</summary>
    public int DepthMultiplier { get; }
    /// <summary>Spacing between kernel taps along H and W.</summary>
    public (int Height, int Width) DilationRate { get; }
    /// <summary>Whether a bias is added.</summary>
    public bool UseBias { get; }
    /// <summary>The activation applied to the output.</summary>
    public ActivationFunction Activation { get; }
    /// <summary>The kernel's initializer.</summary>
    public Initializer DepthwiseInitializer { get; }
    /// <summary>The bias's initializer.</summary>
    public Initializer BiasInitializer { get; }
    /// <summary>Explicit zero pads (top, bottom, left, right), if given.</summary>
    public (int Top, int Bottom, int Left, int Right)? ExplicitPadding { get; }

    /// <summary>The kernel, <c>(C · depthMultiplier, 1, kh, kw)</c>; null before the layer is built.</summary>
    public Variable? Kernel { get; private set; }
    /// <summary>The bias, <c>(C · depthMultiplier)</c>; null before build or without bias.</summary>
    public Variable? Bias { get; private set; }

    /// <summary>The number of input channels (the convolution's groups); 0 before the layer is built.</summary>
    public long InputChannels { get; private set; }

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        LayerArgs.RequireRank(this, inputShape, 4, "(N, C, H, W)");
        long channels = inputShape[1];
        if (channels <= 0)
            throw LayerArgs.Error(this, $"the channel dimension (axis 1) of the inputs must be known. Received input shape {Shapes.Format(inputShape)}.");
        InputChannels = channels;
        long[] shape = [channels * DepthMultiplier, 1, KernelSize.Height, KernelSize.Width];
        // Keras reads the fans off its (kh, kw, C, multiplier) kernel; the same fans give the same initial scale.
        long receptive = (long)KernelSize.Height * KernelSize.Width;
        Kernel = AddWeight("kernel", shape, DepthwiseInitializer, fans: new Fans(channels * receptive, DepthMultiplier * receptive));
        if (UseBias) Bias = AddWeight("bias", [channels * DepthMultiplier], BiasInitializer);
        InputSpec = new InputSpec(rank: 4, axes: new Dictionary<int, long> { [1] = channels });
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) =>
        Activation.Apply(_window.Convolve(inputs, Kernel!.Value, Bias?.Value, InputChannels));

    bool IFoldableConvolution.IsLinear => Activation == Activations.Linear;

    Variable IFoldableConvolution.Kernel => Kernel ?? throw new InvalidOperationException($"Layer '{Name}' is not built.");

    Tensor IFoldableConvolution.ConvolveWith(Tensor inputs, Tensor kernel, Tensor? bias) => _window.Convolve(inputs, kernel, bias, InputChannels);

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        LayerArgs.RequireRank(this, inputShape, 4, "(N, C, H, W)");
        var (h, w) = _window.OutputSize(inputShape);
        return [inputShape[0], inputShape[1] < 0 ? -1 : inputShape[1] * DepthMultiplier, h, w];
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["kernel_size"] = new[] { KernelSize.Height, KernelSize.Width };
        config["strides"] = new[] { Strides.Height, Strides.Width };
        config["padding"] = Padding;
        config["depth_multiplier"] = DepthMultiplier;
        config["dilation_rate"] = new[] { DilationRate.Height, DilationRate.Width };
        config["use_bias"] = UseBias;
        config["activation"] = Activation.Name;
        config["depthwise_initializer"] = DepthwiseInitializer.Name;
        config["bias_initializer"] = BiasInitializer.Name;
        config["explicit_padding"] = ExplicitPadding is { } p ? new[] { p.Top, p.Bottom, p.Left, p.Right } : null;
        return config;
    }
}
