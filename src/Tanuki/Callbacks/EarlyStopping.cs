using static TorchSharp.torch;

namespace Tanuki.Callbacks;

/// <summary>
/// Stops training when a monitored quantity has stopped improving, with Keras 3's rules:
/// <list type="bullet">
/// <item>at the end of each epoch from <c>startFromEpoch</c> on, an improvement (by more than <c>minDelta</c>)
/// records the new best; after <c>patience</c> epochs in a row without one, training stops
/// (<c>Model.StopTraining</c>);</item>
/// <item>with a <c>baseline</c>, the patience counter is only reset by a value that also beats the baseline, so
/// a run that never beats it stops after <c>patience</c> epochs;</item>
/// <item>with <c>restoreBestWeights</c>, the weights of the best epoch (all of them, BatchNormalization's moving
/// statistics included) are put back when training ends — whether it stopped early or ran all its epochs, as
/// Keras 3 does.</item>
/// </list>
/// </summary>
/// <example><code>
/// var stop = new EarlyStopping(monitor: "val_loss", patience: 3, restoreBestWeights: true);
/// model.Fit(train, epochs: 50, validationData: val, callbacks: [stop]);
/// </code></example>
public sealed class EarlyStopping : MonitorCallback
{
    private Tensor[]? _bestWeights;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The log key to watch.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement.</param>
    /// <param name="patience">Epochs without improvement after which training stops.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c> (see <see cref="MonitorCallback"/>).</param>
    /// <param name="baseline">A value the monitored quantity must beat for the patience counter to reset.</param>
    /// <param name="restoreBestWeights">Whether to restore the weights of the best epoch when training ends.</param>
    /// <param name="startFromEpoch">Epochs of warm-up (0-based epochs before this one are not monitored).</param>
    /// <param name="verbose">1 prints when it stops and when it restores weights.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, string mode = "auto", double? baseline = null,
                         bool restoreBestWeights = false, int startFromEpoch = 0, int verbose = 0)
        : base(monitor, mode, minDelta, initialBest: null)
    {
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, $"Expected a non-negative integer. Received: patience={patience}");
        if (startFromEpoch < 0) throw new ArgumentOutOfRangeException(nameof(startFromEpoch), startFromEpoch, $"Expected a non-negative integer. Received: startFromEpoch={startFromEpoch}");
        Patience = patience;
        Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        StartFromEpoch = startFromEpoch;
        Verbose = verbose;
    }

    /// <summary>Epochs without improvement after which training stops.</summary>
    public int Patience { get; }
    /// <summary>The value to beat for the patience counter to reset; null for none.</summary>
    public double? Baseline { get; }
    /// <summary>Whether the best epoch's weights are restored at the end.</summary>
    public bool RestoreBestWeights { get; }
    /// <summary>The first (0-based) epoch that is monitored.</summary>
    public int StartFromEpoch { get; }
    /// <summary>0 silent, 1 messages.</summary>
    public int Verbose { get; }

    /// <summary>Epochs since the last improvement that beat the baseline.</summary>
    public int Wait { get; private set; }
    /// <summary>The (0-based) epoch at which training was stopped; 0 if it was not.</summary>
    public int StoppedEpoch { get; private set; }
    /// <summary>The (0-based) epoch with the best value.</summary>
    public int BestEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
    {
        // Reusable across Fit calls, as in Keras.
        ResetMonitor();
        Wait = 0;
        StoppedEpoch = 0;
        BestEpoch = 0;
        DisposeBestWeights();
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        double? value = GetMonitorValue(logs);
        if (value is not double current || epoch < StartFromEpoch) return;
        bool improved = IsImprovement(current, Best);
        if (RestoreBestWeights && (_bestWeights is null || improved))
        {
            // The first monitored epoch is the best so far even when its value cannot improve (NaN), as in Keras.
            DisposeBestWeights();
            _bestWeights = Model!.GetWeights();
            BestEpoch = epoch;
        }

        Wait++;
        if (improved)
        {
            Best = current;
            BestEpoch = epoch;
            if (Baseline is null || IsImprovement(current, Baseline)) Wait = 0;
            return;
        }

        if (Wait >= Patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            Model!.StopTraining = true;
        }
    }

    /// <inheritdoc />
    public override void OnTrainEnd(IReadOnlyDictionary<string, double> logs)
    {
        if (StoppedEpoch > 0 && Verbose > 0) Print($"Epoch {StoppedEpoch + 1}: early stopping");
        if (RestoreBestWeights && _bestWeights is not null)
        {
            if (Verbose > 0) Print($"Restoring model weights from the end of the best epoch: {BestEpoch + 1}.");
            Model!.SetWeights(_bestWeights);
            DisposeBestWeights();
        }
    }

    private void DisposeBestWeights()
    {
        if (_bestWeights is null) return;
        foreach (Tensor t in _bestWeights) t.Dispose();
        _bestWeights = null;
    }
}
