namespace Tanuki.Inference;

/// <summary>
/// What a part of a model has cost on each engine: libtorch's time since the part's weights last changed (the "rent" of
/// <see cref="EngineRule"/>), and each engine's seconds per sample on it, kept across weight changes (the values do not
/// change the arithmetic). ONNX Runtime's first call on a new session is left out: it sets up memory and is slow.
/// </summary>
internal sealed class EngineClock
{
    private Variable[] _weights = [];
    private long[] _versions = [];
    private double _libTorchSeconds, _onnxSeconds;
    private long _libTorchSamples, _onnxSamples;

    /// <summary>Seconds spent on libtorch since the weights last changed.</summary>
    public double RentSeconds { get; private set; }

    /// <summary>libtorch's seconds per sample on the part; NaN before the first call.</summary>
    public double LibTorchSecondsPerSample => _libTorchSamples > 0 ? _libTorchSeconds / _libTorchSamples : double.NaN;

    /// <summary>ONNX Runtime's seconds per sample on the part; NaN before a session's second call.</summary>
    public double OnnxRuntimeSecondsPerSample => _onnxSamples > 0 ? _onnxSeconds / _onnxSamples : double.NaN;

    /// <summary>
    /// The share of libtorch's time ONNX Runtime saves on this part, measured once both have run it; until then
    /// <paramref name="prior"/>. Negative when ONNX Runtime measured slower.
    /// </summary>
    public double SavedFraction(double prior) =>
        double.IsNaN(LibTorchSecondsPerSample) || double.IsNaN(OnnxRuntimeSecondsPerSample) ? prior : 1 - OnnxRuntimeSecondsPerSample / LibTorchSecondsPerSample;

    /// <summary>Starts the rent again when <paramref name="weights"/> are not the weights last seen, at the same versions.</summary>
    public void Observe(Variable[] weights)
    {
        if (SameWeights(weights, _weights, _versions)) return;
        _weights = weights;
        _versions = weights.Select(v => v.Version).ToArray();
        RentSeconds = 0;
    }

    public void AddLibTorch(double seconds, long samples)
    {
        RentSeconds += seconds;
        _libTorchSeconds += seconds;
        _libTorchSamples += samples;
    }

    public void AddOnnxRuntime(double seconds, long samples)
    {
        _onnxSeconds += seconds;
        _onnxSamples += samples;
    }

    /// <summary>Whether <paramref name="weights"/> are <paramref name="known"/>, in order, at the versions <paramref name="versions"/>.</summary>
    public static bool SameWeights(Variable[] weights, Variable[] known, long[] versions)
    {
        if (weights.Length != known.Length) return false;
        for (int i = 0; i < weights.Length; i++)
            if (!ReferenceEquals(weights[i], known[i]) || weights[i].Version != versions[i]) return false;
        return true;
    }
}
