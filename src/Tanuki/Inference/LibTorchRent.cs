namespace Tanuki.Inference;

/// <summary>
/// What running a part of a model on libtorch has cost since its weights last changed (the "rent" of
/// <see cref="EngineRule"/>), and what libtorch takes per sample on it (kept across weight changes: the values do not
/// change the arithmetic).
/// </summary>
internal sealed class LibTorchRent
{
    private Variable[] _weights = [];
    private long[] _versions = [];
    private double _totalSeconds;
    private long _totalSamples;

    /// <summary>Seconds spent on libtorch since the weights last changed.</summary>
    public double Seconds { get; private set; }

    /// <summary>Seconds per sample on libtorch, over every call recorded; NaN before the first.</summary>
    public double SecondsPerSample => _totalSamples > 0 ? _totalSeconds / _totalSamples : double.NaN;

    /// <summary>Starts counting again when <paramref name="weights"/> are not the weights last seen, at the same versions.</summary>
    public void Observe(Variable[] weights)
    {
        if (SameWeights(weights, _weights, _versions)) return;
        _weights = weights;
        _versions = weights.Select(v => v.Version).ToArray();
        Seconds = 0;
    }

    public void Add(double seconds, long samples)
    {
        Seconds += seconds;
        _totalSeconds += seconds;
        _totalSamples += samples;
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
