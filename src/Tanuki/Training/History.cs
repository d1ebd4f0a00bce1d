using Tanuki.Callbacks;

namespace Tanuki;

/// <summary>What <c>Fit</c> returns: one value per epoch for every log key (<c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, ...).</summary>
public sealed class History : Callback
{
    private readonly Dictionary<string, List<double>> _metrics = new();
    private readonly List<int> _epochs = new();

    /// <summary>Each log key's values, one per completed epoch.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Metrics =>
        _metrics.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value);

    /// <summary>The (0-based) epochs that completed.</summary>
    public IReadOnlyList<int> Epochs => _epochs;

    /// <summary>The values of one key (empty when the key was never logged).</summary>
    public IReadOnlyList<double> this[string key] => _metrics.TryGetValue(key, out var v) ? v : [];

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        _epochs.Add(epoch);
        foreach (var (k, v) in logs)
        {
            if (!_metrics.TryGetValue(k, out var list)) _metrics[k] = list = new List<double>();
            list.Add(v);
        }
    }
}
