namespace Tanuki.Callbacks;

/// <summary>
/// Hooks into <c>Fit</c> at a fixed list of events, in this order:
/// <see cref="OnTrainBegin"/>, then per epoch <see cref="OnEpochBegin"/>, per batch <see cref="OnBatchBegin"/> and
/// <see cref="OnBatchEnd"/>, then <see cref="OnEpochEnd"/> (with validation results), and last <see cref="OnTrainEnd"/>.
/// Logs hold plain numbers (<c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, ...), never tensors. To stop training,
/// set <c>Model.StopTraining</c> (training ends after the current step, as Keras's <c>stop_training</c>, and
/// <see cref="OnTrainEnd"/> runs), or cancel the token given to <c>Fit</c> (it throws a
/// <see cref="TrainingCanceledException"/> after the current step, and <see cref="OnTrainEnd"/> does not run).
/// </summary>
public abstract class Callback
{
    /// <summary>The model being trained; set by <c>Fit</c> before the first event.</summary>
    public Model? Model { get; internal set; }

    /// <summary>Fit's parameters: <c>epochs</c>, <c>steps</c> (per epoch, -1 if unknown), <c>verbose</c>.</summary>
    public IReadOnlyDictionary<string, long> Params { get; internal set; } = new Dictionary<string, long>();

    /// <summary>
    /// Where the callback writes its messages. Null (the default): verbose messages go to <see cref="Console.Out"/>
    /// and warnings to <see cref="Console.Error"/>; set a writer to capture both (a log file, a report, a test).
    /// </summary>
    public TextWriter? Output { get; set; }

    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(IReadOnlyDictionary<string, double> logs) { }

    /// <summary>After the last epoch (or when training stops).</summary>
    public virtual void OnTrainEnd(IReadOnlyDictionary<string, double> logs) { }

    /// <summary>At the start of an epoch (0-based). Changing <c>Trainable</c> here takes effect in this epoch.</summary>
    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>At the end of an epoch, with the epoch's training and validation results.</summary>
    public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>Before a training batch (0-based within the epoch).</summary>
    public virtual void OnBatchBegin(int batch) { }

    /// <summary>After a training batch, with the running means of the epoch so far.</summary>
    public virtual void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) { }

    /// <summary>Writes a message to <see cref="Output"/> (or the console).</summary>
    protected void Print(string message) => (Output ?? Console.Out).WriteLine(message);

    /// <summary>Writes a warning to <see cref="Output"/> (or standard error).</summary>
    protected void Warn(string message) => (Output ?? Console.Error).WriteLine("Warning: " + message);

    /// <summary>
    /// Adds entries to an epoch's logs before any callback's <see cref="OnEpochEnd"/> sees them, so that every
    /// callback and the History see the same keys (Keras adds <c>learning_rate</c> this way when a schedule is used).
    /// </summary>
    internal virtual void AddToEpochLogs(int epoch, IDictionary<string, double> logs) { }

    /// <summary>
    /// True when the callback takes over a NaN or infinite loss (<see cref="TerminateOnNaN"/>): <c>Fit</c> then skips
    /// that update and reports the loss in the batch logs instead of throwing a <see cref="TrainingException"/>.
    /// </summary>
    internal virtual bool HandlesNonFiniteLoss => false;
}
