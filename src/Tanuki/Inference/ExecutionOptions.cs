namespace Tanuki;

/// <summary>
/// How a model runs, as opposed to what it computes: which engine runs its inference and with how many threads, and
/// which of libtorch's speed-ups apply (folding in inference and in the fine-tuning step, fused additions, memory layout,
/// the frozen-feature cache's threshold).
/// Every model has its own (<see cref="Model.Execution"/>); an option not set there follows the model that calls it
/// (a base inside a classifier follows the classifier), and at the top the process-wide <see cref="Default"/>, so
/// <c>ExecutionOptions.Default.InferenceEngine = InferenceEngine.LibTorch</c> changes every model that did not choose
/// for itself. None of these options changes the numbers beyond float rounding, except <see cref="TrainingPrecision"/>,
/// which trains in bfloat16 when asked.
/// </summary>
/// <example>
/// <code>
/// model.Execution.InferenceEngine = InferenceEngine.LibTorch;   // this model: libtorch only
/// ExecutionOptions.Default.Threads = 1;                        // every model's ONNX Runtime sessions: one thread
/// other.Execution.InferenceFusion = false;                     // that model (and the bases it calls): no conv-BN folding
/// </code>
/// </example>
public sealed class ExecutionOptions
{
    private readonly ExecutionOptions? _defaults;
    private InferenceEngine? _inferenceEngine;
    private int? _threads;
    private bool? _inferenceFusion;
    private bool? _fuseAddRelu;
    private long? _stemChunkBytes;
    private bool? _channelsLastInference;
    private bool? _noGradForFrozenModels;
    private long? _featureCacheMinimumFrozenParameters;
    private bool? _fuseFineTuningStep;
    private bool? _channelsLastTraining;
    private long? _channelsLastTrainingMinimumPixels;
    private TrainingPrecision? _trainingPrecision;

    private bool _idleThreadsSpin;

    [ThreadStatic] private static ExecutionOptions? t_running;

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
    /// Whether a Conv2D → BatchNormalization chain with no weight that needs a gradient and the normalization in
    /// inference mode runs as one convolution with the normalization folded into its kernel and bias, a ReLU after it
    /// in place (default: on).
    /// </summary>
    public bool InferenceFusion
    {
        get => _inferenceFusion ?? _defaults?.InferenceFusion ?? true;
        set => _inferenceFusion = value;
    }

    /// <summary>
    /// Whether a folded chain that ends a residual block adds the shortcut and applies the ReLU in one pass over memory
    /// (libtorch's <c>_add_relu_</c>). Default: on, unless the environment variable <c>TANUKI_NO_ADD_RELU</c> is <c>1</c>.
    /// </summary>
    public bool FuseAddRelu
    {
        get => _fuseAddRelu ?? _defaults?.FuseAddRelu ?? s_environmentAddRelu.Value;
        set => _fuseAddRelu = value;
    }

    /// <summary>
    /// A folded Conv2D → BatchNormalization → ReLU → MaxPooling2D stem whose convolution output over the batch is at
    /// least four times this many bytes runs in slices of the batch of about this size, so the pooling reads them from
    /// cache rather than memory (default 8 MiB; 0 runs every stem whole). Measured on ResNet-18 at 224²: 1.00–1.13×;
    /// at 96² it did not help.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long StemChunkBytes
    {
        get => _stemChunkBytes ?? _defaults?.StemChunkBytes ?? 8L << 20;
        set => _stemChunkBytes = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"ExecutionOptions.StemChunkBytes expected 0 (off) or a positive number of bytes. Received: {value}");
    }

    /// <summary>
    /// Whether a convolutional functional model through which no gradient flows (inference, a frozen base) runs on
    /// channels-last tensors, which libtorch's convolutions run faster (default: on).
    /// </summary>
    public bool ChannelsLastInference
    {
        get => _channelsLastInference ?? _defaults?.ChannelsLastInference ?? true;
        set => _channelsLastInference = value;
    }

    /// <summary>
    /// Whether a nested model none of whose weights and inputs needs a gradient (a frozen base on augmented images)
    /// runs without recording for autograd while gradients are on: the same values, less memory (default: on).
    /// </summary>
    public bool NoGradForFrozenModels
    {
        get => _noGradForFrozenModels ?? _defaults?.NoGradForFrozenModels ?? true;
        set => _noGradForFrozenModels = value;
    }

    /// <summary>
    /// The frozen-feature cache of <c>Fit</c> caches a frozen prefix only when it has at least this many frozen
    /// parameters: below that, running it on every step costs less than caching (default 10,000).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long FeatureCacheMinimumFrozenParameters
    {
        get => _featureCacheMinimumFrozenParameters ?? _defaults?.FeatureCacheMinimumFrozenParameters ?? 10_000;
        set => _featureCacheMinimumFrozenParameters = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"ExecutionOptions.FeatureCacheMinimumFrozenParameters expected a non-negative count. Received: {value}");
    }

    /// <summary>
    /// Whether a training step folds each BatchNormalization that runs in inference mode (the base called with
    /// <c>training: false</c>, or a frozen BN) into the Conv2D or DepthwiseConv2D before it: the convolution runs with
    /// <c>W·γ/√(σ²+ε)</c> and <c>(b − μ)·γ/√(σ²+ε) + β</c>, computed from the live weights at every step, so gradients
    /// reach the kernel, bias, gamma and beta as through the separate layers, and one pass over the activations forward
    /// and backward is saved (default: on). Batch normalization on batch statistics is never folded.
    /// </summary>
    public bool FuseFineTuningStep
    {
        get => _fuseFineTuningStep ?? _defaults?.FuseFineTuningStep ?? true;
        set => _fuseFineTuningStep = value;
    }

    /// <summary>
    /// Whether a training step of a convolutional functional model runs on channels-last (NHWC-strided) tensors, as
    /// inference does, when its images have at least <see cref="ChannelsLastTrainingMinimumPixels"/> pixels (default:
    /// on). The values are the same; only the strides and the speed differ. Measured on ResNet-18, batch 32, 2 threads
    /// (<c>ablation --switch channels-last-training</c>): the fine-tuning step 1.10× at 224², 1.08× at 160², 1.02× at
    /// 128², 0.99× at 96² (mixed bfloat16: 1.15×, 1.06×, 1.07×, 0.96×); the full step 1.15× at 224², 1.07× at 128²,
    /// 1.00× at 96².
    /// </summary>
    public bool ChannelsLastTraining
    {
        get => _channelsLastTraining ?? _defaults?.ChannelsLastTraining ?? true;
        set => _channelsLastTraining = value;
    }

    /// <summary>
    /// The smallest image (height × width, in pixels) whose training steps run channels-last when
    /// <see cref="ChannelsLastTraining"/> is on (default 128 × 128 = 16,384: below it the layout measured no faster;
    /// 0 for every size).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public long ChannelsLastTrainingMinimumPixels
    {
        get => _channelsLastTrainingMinimumPixels ?? _defaults?.ChannelsLastTrainingMinimumPixels ?? 128 * 128;
        set => _channelsLastTrainingMinimumPixels = value >= 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"ExecutionOptions.ChannelsLastTrainingMinimumPixels expected 0 (every size) or a positive number of pixels. Received: {value}");
    }

    /// <summary>
    /// The precision training steps compute in (default <see cref="Tanuki.TrainingPrecision.Float32"/>):
    /// <see cref="Tanuki.TrainingPrecision.MixedBFloat16"/> is Keras's <c>"mixed_bfloat16"</c> policy, faster on CPUs with
    /// bfloat16 instructions, with about three significant digits (0.4% per rounding) where float32 has seven. Inference
    /// is float32 either way.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not one of the enumeration's.</exception>
    public TrainingPrecision TrainingPrecision
    {
        get => _trainingPrecision ?? _defaults?.TrainingPrecision ?? TrainingPrecision.Float32;
        set => _trainingPrecision = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"Expected one of {string.Join(", ", Enum.GetNames<TrainingPrecision>())}. Received: TrainingPrecision={value}");
    }

    /// <summary>
    /// Whether libtorch's idle OpenMP threads spin while they wait for work (OpenMP's default) rather than sleep at once
    /// (<c>OMP_WAIT_POLICY=PASSIVE</c>, Tanuki's default: false). Spinning threads take the cores other work on the
    /// machine needs and that the working threads then wait for; measured with one core busy elsewhere, libtorch ran
    /// 3.0–3.5× faster with sleeping threads (benchmarks/README.md). Process-wide and read once, when libtorch loads:
    /// set it on <see cref="Default"/> before the first model is built. An <c>OMP_WAIT_POLICY</c> set in the
    /// environment wins over it. Linux and macOS; on Windows the environment decides.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// Set on another object than <see cref="Default"/>, or after libtorch has loaded.
    /// </exception>
    public bool IdleThreadsSpin
    {
        get => _defaults?.IdleThreadsSpin ?? _idleThreadsSpin;
        set
        {
            if (_defaults is not null)
                throw new InvalidOperationException("IdleThreadsSpin is process-wide: set ExecutionOptions.Default.IdleThreadsSpin, before the first model is built.");
            if (Backend.Initialized && value != _idleThreadsSpin)
                throw new InvalidOperationException("IdleThreadsSpin must be set before libtorch loads (before the first model is built or Backend is used); " +
                                                    "now its threads are started. Set OMP_WAIT_POLICY in the environment before the process starts instead.");
            _idleThreadsSpin = value;
        }
    }

    /// <summary>Forgets the options set on this object, which then follows <see cref="Default"/> again (the defaults themselves go back to their initial values).</summary>
    public void Reset()
    {
        _inferenceEngine = null;
        _threads = null;
        _inferenceFusion = null;
        _fuseAddRelu = null;
        _stemChunkBytes = null;
        _channelsLastInference = null;
        _noGradForFrozenModels = null;
        _featureCacheMinimumFrozenParameters = null;
        _fuseFineTuningStep = null;
        _channelsLastTraining = null;
        _channelsLastTrainingMinimumPixels = null;
        _trainingPrecision = null;
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"ExecutionOptions(InferenceEngine={InferenceEngine}, Threads={Threads}, InferenceFusion={InferenceFusion}, FuseAddRelu={FuseAddRelu}, " +
        $"StemChunkBytes={StemChunkBytes}, ChannelsLastInference={ChannelsLastInference}, NoGradForFrozenModels={NoGradForFrozenModels}, " +
        $"FeatureCacheMinimumFrozenParameters={FeatureCacheMinimumFrozenParameters}, FuseFineTuningStep={FuseFineTuningStep}, " +
        $"ChannelsLastTraining={ChannelsLastTraining}, ChannelsLastTrainingMinimumPixels={ChannelsLastTrainingMinimumPixels}, TrainingPrecision={TrainingPrecision}, IdleThreadsSpin={IdleThreadsSpin})";

    /// <summary>
    /// The options a model runs with: these, where set, else those of the model whose run called it (a nested model
    /// follows its caller's options), else <see cref="Default"/>.
    /// </summary>
    internal ExecutionOptions InContext()
    {
        ExecutionOptions? caller = t_running;
        if (caller is null) return this;
        if (ReferenceEquals(caller, this) || ReferenceEquals(this, Default) || !SetsAny) return caller;
        return new ExecutionOptions(caller)
        {
            _inferenceEngine = _inferenceEngine,
            _threads = _threads,
            _inferenceFusion = _inferenceFusion,
            _fuseAddRelu = _fuseAddRelu,
            _stemChunkBytes = _stemChunkBytes,
            _channelsLastInference = _channelsLastInference,
            _noGradForFrozenModels = _noGradForFrozenModels,
            _featureCacheMinimumFrozenParameters = _featureCacheMinimumFrozenParameters,
            _fuseFineTuningStep = _fuseFineTuningStep,
            _channelsLastTraining = _channelsLastTraining,
            _channelsLastTrainingMinimumPixels = _channelsLastTrainingMinimumPixels,
            _trainingPrecision = _trainingPrecision,
        };
    }

    private bool SetsAny =>
        _inferenceEngine is not null || _threads is not null || _inferenceFusion is not null || _fuseAddRelu is not null || _stemChunkBytes is not null ||
        _channelsLastInference is not null || _noGradForFrozenModels is not null || _featureCacheMinimumFrozenParameters is not null ||
        _fuseFineTuningStep is not null || _channelsLastTraining is not null ||
        _channelsLastTrainingMinimumPixels is not null || _trainingPrecision is not null;

    /// <summary>The options of the model running on this thread (its own, in context), or null outside any model's run.</summary>
    internal static ExecutionOptions? Running => t_running;

    /// <summary>Makes these the options that models called on this thread follow until the scope ends.</summary>
    internal RunningScope Enter()
    {
        var scope = new RunningScope(t_running);
        t_running = this;
        return scope;
    }

    /// <summary>Restores the caller's options on this thread.</summary>
    internal readonly struct RunningScope : IDisposable
    {
        private readonly ExecutionOptions? _previous;

        public RunningScope(ExecutionOptions? previous) => _previous = previous;

        public void Dispose() => t_running = _previous;
    }

    private static readonly Lazy<bool> s_environmentAddRelu = new(() => Environment.GetEnvironmentVariable("TANUKI_NO_ADD_RELU") != "1");

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
