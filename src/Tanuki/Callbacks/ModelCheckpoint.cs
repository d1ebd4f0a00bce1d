namespace Tanuki.Callbacks;

/// <summary>
/// Saves the model (<c>model.Save(path)</c>) or its weights (<c>model.SaveWeights(path)</c>) at the end of every
/// epoch, or only when the monitored quantity improves (<c>saveBestOnly</c>), as Keras's ModelCheckpoint does.
/// <para>The path may hold Python-style placeholders filled from the epoch (1-based) and the epoch's logs:
/// <c>"ckpt-{epoch:02d}-{val_loss:.2f}.tanuki"</c> → <c>ckpt-03-0.41.tanuki</c>. Without placeholders and with
/// <c>saveBestOnly</c>, the one file always holds the best model so far. Missing folders are created.</para>
/// </summary>
/// <example><code>
/// var best = new ModelCheckpoint("best.tanuki", monitor: "val_accuracy", saveBestOnly: true);
/// model.Fit(train, epochs: 20, validationData: val, callbacks: [best]);
/// var model2 = Model.Load("best.tanuki");
/// </code></example>
public sealed class ModelCheckpoint : MonitorCallback
{
    private readonly Action<Model, string> _save;

    /// <summary>Creates the callback.</summary>
    /// <param name="filepath">Where to save; may contain placeholders such as <c>{epoch:02d}</c> and <c>{val_loss:.2f}</c>.</param>
    /// <param name="monitor">The log key that decides what is best.</param>
    /// <param name="saveBestOnly">Save only when the monitored quantity improves on the best so far.</param>
    /// <param name="saveWeightsOnly">Save only the weights (<c>SaveWeights</c>) instead of the whole model (<c>Save</c>).</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c> (see <see cref="MonitorCallback"/>).</param>
    /// <param name="initialValueThreshold">With <paramref name="saveBestOnly"/>, a value the first save must beat.</param>
    /// <param name="verbose">1 prints a line for each save decision.</param>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", bool saveBestOnly = false, bool saveWeightsOnly = false,
                           string mode = "auto", double? initialValueThreshold = null, int verbose = 0)
        : this(filepath, monitor, saveBestOnly, saveWeightsOnly, mode, initialValueThreshold, verbose, save: null) { }

    /// <summary>For tests: <paramref name="save"/> replaces the call to Save/SaveWeights.</summary>
    internal ModelCheckpoint(string filepath, string monitor, bool saveBestOnly, bool saveWeightsOnly, string mode,
                             double? initialValueThreshold, int verbose, Action<Model, string>? save)
        : base(monitor, mode, minDelta: 0, initialBest: initialValueThreshold)
    {
        if (string.IsNullOrWhiteSpace(filepath))
            throw new ArgumentException($"Expected a file path to save to. Received: filepath=\"{filepath}\"", nameof(filepath));
        Filepath = filepath;
        SaveBestOnly = saveBestOnly;
        SaveWeightsOnly = saveWeightsOnly;
        Verbose = verbose;
        _save = save ?? (saveWeightsOnly ? static (m, p) => m.SaveWeights(p) : static (m, p) => m.Save(p));
    }

    /// <summary>The path template.</summary>
    public string Filepath { get; }
    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }
    /// <summary>Whether only the weights are saved.</summary>
    public bool SaveWeightsOnly { get; }
    /// <summary>0 silent, 1 messages.</summary>
    public int Verbose { get; }

    /// <summary>The paths saved in the current (or last) <c>Fit</c>, in order.</summary>
    public IReadOnlyList<string> SavedPaths => _saved;
    private readonly List<string> _saved = new();

    /// <inheritdoc />
    public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
    {
        ResetMonitor();
        _saved.Clear();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        string path = FilePathFor(epoch, logs);
        if (!ShouldSave(epoch, logs, path)) return;
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        if (Directory.Exists(path))
            throw new IOException($"ModelCheckpoint: the path \"{path}\" is an existing folder; give a file path such as \"{Path.Combine(path, "model.tanuki")}\".");
        _save(Model!, path);
        _saved.Add(path);
    }

    /// <summary>The path for an epoch: the template filled with <c>epoch</c> (1-based) and the logs.</summary>
    internal string FilePathFor(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var values = new Dictionary<string, object>();
        foreach (var (k, v) in logs) values[k] = v;
        values["epoch"] = (long)(epoch + 1);
        try { return PythonFormat.Format(Filepath, values); }
        catch (FormatException e)
        {
            throw new FormatException($"Failed to format this callback filepath: \"{Filepath}\". Reason: {e.Message}", e);
        }
    }

    private bool ShouldSave(int epoch, IReadOnlyDictionary<string, double> logs, string path)
    {
        if (!SaveBestOnly)
        {
            if (Verbose > 0) Print($"Epoch {epoch + 1}: saving model to {path}");
            return true;
        }
        if (GetMonitorValue(logs) is not double current)
        {
            // As in Keras: without the monitored value nothing says this is not the best, so save.
            return true;
        }
        string bestText = Format(Best ?? (Maximize ? double.NegativeInfinity : double.PositiveInfinity));
        if (IsImprovement(current, Best))
        {
            if (Verbose > 0) Print($"Epoch {epoch + 1}: {Monitor} improved from {bestText} to {Format(current)}, saving model to {path}");
            Best = current;
            return true;
        }
        if (Verbose > 0) Print($"Epoch {epoch + 1}: {Monitor} did not improve from {bestText}");
        return false;
    }
}
