namespace Tanuki.Callbacks;

/// <summary>
/// Stops training at the first batch whose loss is NaN or infinite, as Keras's TerminateOnNaN does.
/// <para>Without this callback <c>Fit</c> throws a <see cref="TrainingException"/> at such a batch. With it,
/// <c>Fit</c> does not throw: it skips that batch's update (so, unlike Keras, the weights keep their last finite
/// values and are never NaN), puts the loss in the batch logs, and this callback stops training there. The
/// epoch then ends normally — validation runs, <c>OnEpochEnd</c> sees a NaN <c>loss</c>, and EarlyStopping can still
/// restore its best weights.</para>
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>The (0-based) epoch and batch where training was stopped; null if it was not.</summary>
    public (int Epoch, int Batch)? StoppedAt { get; private set; }

    private int _epoch;

    internal override bool HandlesNonFiniteLoss => true;

    /// <inheritdoc />
    public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs) => StoppedAt = null;

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch) => _epoch = epoch;

    /// <inheritdoc />
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        if (!logs.TryGetValue("loss", out double loss) || double.IsFinite(loss)) return;
        Print($"Batch {batch}: Invalid loss, terminating training");
        StoppedAt = (_epoch, batch);
        Model!.StopTraining = true;
    }
}
