using Tanuki.Inference;
using Tanuki.Interop.OnnxExport;

namespace Tanuki;

public partial class Model
{
    private ExecutionOptions _execution = new();
    private readonly object _inferenceLock = new();
    private InferencePart? _wholeInference;
    private FrozenPrefix? _inferencePrefix;
    private InferencePart? _prefixInference;

    /// <summary>
    /// How this model runs: which engine runs its inference (<see cref="ExecutionOptions.InferenceEngine"/>: ONNX
    /// Runtime where it measured faster, by default) and with how many threads. Options not set here follow
    /// <see cref="ExecutionOptions.Default"/>. Several models may share one object.
    /// </summary>
    /// <remarks>
    /// An ONNX Runtime session holds a copy of the weights it runs. It is rebuilt when one of them changes through
    /// <see cref="Variable.Assign"/>, <see cref="Layer.SetWeights"/>, <c>Fit</c> or an optimizer; a weight's tensor changed
    /// in place by hand (<c>variable.Value.copy_(...)</c>) is not seen, so change weights with <c>Assign</c>.
    /// </remarks>
    public ExecutionOptions Execution
    {
        get => _execution;
        set => _execution = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// The options a forward pass of this model runs with: those of the outermost model being called (a base nested in a
    /// classifier runs as the classifier's options say), or this model's own outside any call.
    /// </summary>
    internal ExecutionOptions ExecutionInCall => OutermostModelCalled()?.Execution ?? Execution;

    /// <summary>The whole model in inference mode, for <c>Predict</c> and <c>Evaluate</c>.</summary>
    internal InferencePart WholeInference
    {
        get
        {
            lock (_inferenceLock) return _wholeInference ??= new InferencePart(this, () => ExportPlan.For(this));
        }
    }

    /// <summary>
    /// The frozen prefix the frozen-feature pass runs. One prefix at a time: a prefix that cuts the model elsewhere
    /// (after unfreezing) replaces the last one and closes its session.
    /// </summary>
    internal InferencePart PrefixInference(FrozenPrefix prefix)
    {
        lock (_inferenceLock)
        {
            if (_prefixInference is not null && prefix.SameAs(_inferencePrefix)) return _prefixInference;
            _prefixInference?.Dispose();
            _inferencePrefix = prefix;
            return _prefixInference = new InferencePart(this, prefix.ExportPlan);
        }
    }

    /// <summary>The frozen prefix's part, if the frozen-feature pass has run one (tests look at it).</summary>
    internal InferencePart? PrefixInferencePart
    {
        get
        {
            lock (_inferenceLock) return _prefixInference;
        }
    }

    /// <summary>Closes the frozen prefix's session, if any (nothing is frozen any more).</summary>
    internal void ReleasePrefixInference()
    {
        lock (_inferenceLock)
        {
            _prefixInference?.Dispose();
            _prefixInference = null;
            _inferencePrefix = null;
        }
    }

    /// <summary>
    /// Closes every ONNX Runtime session the model holds, freeing their memory now rather than when the model is
    /// collected. The model still works: a session is built again when inference needs it.
    /// </summary>
    internal void ReleaseInferenceSessions()
    {
        ReleasePrefixInference();
        lock (_inferenceLock)
        {
            _wholeInference?.Dispose();
            _wholeInference = null;
        }
    }
}
