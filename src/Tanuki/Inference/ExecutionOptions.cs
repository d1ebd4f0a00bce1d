namespace Tanuki;

/// <summary>
/// How a model runs, as opposed to what it computes: which engine runs its inference and with how many threads. Every
/// model has its own (<see cref="Model.Execution"/>); an option not set there follows the process-wide
/// <see cref="Default"/>, so <c>ExecutionOptions.Default.InferenceEngine = InferenceEngine.LibTorch</c> changes every
/// model that did not choose for itself. None of these options changes the numbers beyond float rounding.
/// </summary>
/// <example>
/// <code>
/// model.Execution.InferenceEngine = InferenceEngine.LibTorch;   // this model: libtorch only
/// ExecutionOptions.Default.Threads = 1;                        // every model's ONNX Runtime sessions: one thread
/// </code>
/// </example>
public sealed class ExecutionOptions
{
    private readonly ExecutionOptions? _defaults;
    private InferenceEngine? _inferenceEngine;
    private int? _threads;
    private bool? _fuseFineTuningStep;
    private bool? _channelsLastTraining;

    /// <summary>
    /// The process-wide defaults. Their inference engine starts as <c>TANUKI_INFERENCE_ENGINE</c> says (<c>auto</c>,
    /// <c>libtorch</c> or <c>onnxruntime</c>), else <see cref="InferenceEngine.Auto"/>; their thread count follows
    /// <see cref="Backend.Threads"/>.
    /// </summary>
    public static ExecutionOptions Default { get; } = new(defaults: null);

    private static readonly Lazy<InferenceEngine> s_environmentEngine = new(EngineFromEnvironment);

    /// <summary>Options that follow <see cref="Default"/> until set.</summary>
    public ExecutionOptions() : this(Default) { }

    private ExecutionOptions(ExecutionOptions? defaults) => _defaults = defaults;

    /// <summary>
    /// Which engine runs <c>Predict</c>, <c>Evaluate</c> and the frozen-feature pass of <c>Fit</c>: see
    /// <see cref="Tanuki.InferenceEngine"/>. <see cref="InferenceEngine.LibTorch"/> forces libtorch.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not one of the enumeration's.</exception>
    public InferenceEngine InferenceEngine
    {
        get => _inferenceEngine ?? _defaults?.InferenceEngine ?? s_environmentEngine.Value;
        set => _inferenceEngine = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Expected one of {string.Join(", ", Enum.GetNames<InferenceEngine>())}. Received: InferenceEngine={value}");
    }

    /// <summary>
    /// Intra-op threads of the ONNX Runtime sessions (default: <see cref="Backend.Threads"/>, which libtorch uses). A
    /// session built with another count is rebuilt at its next use.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive.</exception>
    public int Threads
    {
        get => _threads ?? _defaults?.Threads ?? Backend.Threads;
        set => _threads = value > 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"ExecutionOptions.Threads expected a positive integer. Received: {value}");
    }

    /// <summary>
    /// Whether a training step folds each BatchNormalization that runs in inference mode (the base called with
    /// <c>training: false</c>, or a frozen BN) into the Conv2D or DepthwiseConv2D before it: the convolution runs with
    /// <c>W·γ/√(σ²+ε)</c> and <c>(b − μ)·γ/√(σ²+ε) + β</c>, computed from the live weights at every step, so gradients
    /// reach the kernel, bias, gamma and beta as through the separate layers, and one pass over the activations forward
    /// and backward is saved. On by default. Batch normalization on batch statistics is never folded. A model nested in
    /// another (a base in a classifier) follows the options of the outermost model called.
    /// </summary>
    public bool FuseFineTuningStep
    {
        get => _fuseFineTuningStep ?? _defaults?.FuseFineTuningStep ?? true;
        set => _fuseFineTuningStep = value;
    }

    /// <summary>
    /// Whether a training step of a convolutional model runs on channels-last (NHWC-strided) tensors, as inference
    /// does. Off by default. The values are the same; only the strides and the speed differ.
    /// </summary>
    public bool ChannelsLastTraining
    {
        get => _channelsLastTraining ?? _defaults?.ChannelsLastTraining ?? false;
        set => _channelsLastTraining = value;
    }

    /// <summary>Forgets the options set on this object, which then follows <see cref="Default"/> again (the defaults themselves go back to their initial values).</summary>
    public void Reset()
    {
        _inferenceEngine = null;
        _threads = null;
        _fuseFineTuningStep = null;
        _channelsLastTraining = null;
    }

    /// <inheritdoc />
    public override string ToString() => $"ExecutionOptions(InferenceEngine={InferenceEngine}, Threads={Threads}, FuseFineTuningStep={FuseFineTuningStep})";

    private static InferenceEngine EngineFromEnvironment()
    {
        string? value = Environment.GetEnvironmentVariable("TANUKI_INFERENCE_ENGINE");
        if (string.IsNullOrWhiteSpace(value)) return InferenceEngine.Auto;
        return value.Trim().ToLowerInvariant() switch
        {
            "auto" => InferenceEngine.Auto,
            "libtorch" or "torch" => InferenceEngine.LibTorch,
            "onnxruntime" or "ort" => InferenceEngine.OnnxRuntime,
            _ => throw new InvalidOperationException($"TANUKI_INFERENCE_ENGINE expected auto, libtorch or onnxruntime. Received: \"{value}\""),
        };
    }
}
