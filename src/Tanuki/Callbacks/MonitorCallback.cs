namespace Tanuki.Callbacks;

/// <summary>
/// The base of callbacks that watch one logged quantity and act when it improves or stops improving
/// (<see cref="EarlyStopping"/>, <see cref="ModelCheckpoint"/>, <see cref="ReduceLROnPlateau"/>): it holds the
/// monitor, the direction (<c>mode</c>), the minimum change that counts (<c>minDelta</c>) and the best value so far.
/// <para>Mode <c>"auto"</c> picks the direction from the name, as Keras does: a key whose name (without
/// <c>val_</c>) contains <c>acc</c>, <c>auc</c>, <c>precision</c> or <c>recall</c> is maximized; anything else
/// (<c>loss</c>, errors) is minimized.</para>
/// <para>When the monitored key is missing from the logs, the callback does nothing that epoch and warns once per
/// <c>Fit</c>, listing the keys there are — except in <c>"auto"</c> mode for a quantity that is neither the loss nor a
/// metric the model was compiled with (a typo such as <c>"val_acuracy"</c>): as in Keras 3, <c>Fit</c> then fails with
/// an <see cref="ArgumentException"/>, so that a misspelt monitor cannot silently switch the callback off.</para>
/// </summary>
public abstract class MonitorCallback : Callback
{
    private static readonly string[] Modes = ["auto", "min", "max"];
    private static readonly string[] MaximizedWords = ["acc", "auc", "precision", "recall"];
    private readonly double? _initialBest;
    private bool _warned;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The log key to watch (<c>val_loss</c>, <c>val_accuracy</c>, <c>loss</c>, ...).</param>
    /// <param name="mode"><c>"min"</c>, <c>"max"</c>, or <c>"auto"</c> to infer it from the name.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement (its absolute value is used).</param>
    /// <param name="initialBest">The best value to start from (null: the first value seen is an improvement).</param>
    protected MonitorCallback(string monitor, string mode, double minDelta, double? initialBest)
    {
        if (string.IsNullOrWhiteSpace(monitor))
            throw new ArgumentException($"Expected the name of a logged quantity such as \"val_loss\". Received: monitor=\"{monitor}\"", nameof(monitor));
        Monitor = monitor;
        Mode = Guard.OneOf(mode, Modes);
        if (double.IsNaN(minDelta) || double.IsInfinity(minDelta))
            throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, $"Expected a finite number. Received: minDelta={minDelta}");
        MinDelta = Math.Abs(minDelta);
        _initialBest = initialBest;
        Best = initialBest;
        Maximize = mode == "max" || (mode == "auto" && IsMaximizedByName(monitor));
    }

    /// <summary>The log key watched.</summary>
    public string Monitor { get; }

    /// <summary>The mode as given: <c>"auto"</c>, <c>"min"</c> or <c>"max"</c>.</summary>
    public string Mode { get; }

    /// <summary>Whether larger values are better (the direction <see cref="Mode"/> resolved to).</summary>
    public bool Maximize { get; }

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta { get; }

    /// <summary>The best value seen so far in this <c>Fit</c> (null before the first).</summary>
    public double? Best { get; protected set; }

    /// <summary>Whether <paramref name="name"/> is a quantity <c>"auto"</c> mode maximizes.</summary>
    public static bool IsMaximizedByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string metric = name.StartsWith("val_", StringComparison.Ordinal) ? name[4..] : name;
        if (metric == "loss") return false;
        return MaximizedWords.Any(w => metric.Contains(w, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Whether <paramref name="current"/> beats <paramref name="reference"/> by more than <see cref="MinDelta"/> in
    /// the monitored direction. Anything beats a null reference; NaN never improves.
    /// </summary>
    protected bool IsImprovement(double current, double? reference)
    {
        if (double.IsNaN(current)) return false;
        if (reference is not double r) return true;
        return Maximize ? current - MinDelta > r : current + MinDelta < r;
    }

    /// <summary>Forgets the best value (back to the initial one) and re-arms the missing-key warning; call at train begin.</summary>
    protected void ResetMonitor()
    {
        Best = _initialBest;
        _warned = false;
    }

    /// <summary>The monitored value in <paramref name="logs"/>, or null (with a one-time warning listing the keys there are).</summary>
    protected double? GetMonitorValue(IReadOnlyDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        if (logs.TryGetValue(Monitor, out double value)) return value;
        string quantity = Monitor.StartsWith("val_", StringComparison.Ordinal) ? Monitor[4..] : Monitor;
        if (Mode == "auto" && quantity != "loss" && Model?.MetricKeys.Contains(quantity) != true)
            throw new ArgumentException(
                $"{GetType().Name} callback received monitor=\"{Monitor}\", which is neither the loss nor a metric the model was compiled with, " +
                $"so it cannot tell whether it should be maximized or minimized. The logs have: {string.Join(", ", logs.Keys)}. " +
                "Monitor one of those, or pass mode: \"max\" or mode: \"min\".");
        if (!_warned)
        {
            _warned = true;
            string hint = Monitor.StartsWith("val_", StringComparison.Ordinal) && !logs.Keys.Any(k => k.StartsWith("val_", StringComparison.Ordinal))
                ? " Validation keys appear only when Fit gets validationData or validationSplit."
                : "";
            Warn($"{GetType().Name} monitors \"{Monitor}\", which is not in the logs, so it does nothing. " +
                 $"Available keys: {string.Join(", ", logs.Keys)}.{hint}");
        }
        return null;
    }

    /// <summary>A number as Keras prints it in callback messages (5 decimals).</summary>
    private protected static string Format(double value) =>
        PythonFormat.Format("{v:.5f}", new Dictionary<string, object> { ["v"] = value });
}
