namespace Tanuki.Callbacks;

/// <summary>
/// Multiplies the learning rate by <c>factor</c> when the monitored quantity has not improved (by more than
/// <c>minDelta</c>) for <c>patience</c> epochs, then waits <c>cooldown</c> epochs before counting again; never goes
/// below <c>minLr</c>. Keras's rules. Also adds <c>learning_rate</c> (the rate the epoch ran with) to the epoch logs,
/// so the History records it.
/// </summary>
/// <example><code>
/// var plateau = new ReduceLROnPlateau(monitor: "val_loss", factor: 0.2, patience: 5, minLr: 1e-6);
/// </code></example>
public sealed class ReduceLROnPlateau : MonitorCallback
{
    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The log key to watch.</param>
    /// <param name="factor">The factor the rate is multiplied by (below 1).</param>
    /// <param name="patience">Epochs without improvement before the rate is reduced.</param>
    /// <param name="mode"><c>"auto"</c>, <c>"min"</c> or <c>"max"</c> (see <see cref="MonitorCallback"/>).</param>
    /// <param name="minDelta">The smallest change that counts as an improvement.</param>
    /// <param name="cooldown">Epochs after a reduction during which nothing is counted.</param>
    /// <param name="minLr">The lowest rate.</param>
    /// <param name="verbose">1 prints each reduction.</param>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, string mode = "auto",
                             double minDelta = 1e-4, int cooldown = 0, double minLr = 0, int verbose = 0)
        : base(monitor, mode, minDelta, initialBest: null)
    {
        if (!(factor >= 0 && factor < 1))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"ReduceLROnPlateau needs a factor in [0, 1). Received: factor={factor}");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, $"Expected a non-negative integer. Received: patience={patience}");
        if (cooldown < 0) throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, $"Expected a non-negative integer. Received: cooldown={cooldown}");
        Factor = factor;
        Patience = patience;
        Cooldown = cooldown;
        MinLr = Guard.NonNegative(minLr);
        Verbose = verbose;
    }

    /// <summary>The factor the rate is multiplied by.</summary>
    public double Factor { get; }
    /// <summary>Epochs without improvement before a reduction.</summary>
    public int Patience { get; }
    /// <summary>Epochs after a reduction during which nothing is counted.</summary>
    public int Cooldown { get; }
    /// <summary>The lowest rate.</summary>
    public double MinLr { get; }
    /// <summary>0 silent, 1 messages.</summary>
    public int Verbose { get; }

    /// <summary>Epochs since the last improvement (outside cooldown).</summary>
    public int Wait { get; private set; }
    /// <summary>Epochs of cooldown left.</summary>
    public int CooldownCounter { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
    {
        ResetMonitor();
        Wait = 0;
        CooldownCounter = 0;
    }

    internal override void AddToEpochLogs(int epoch, IDictionary<string, double> logs) =>
        logs["learning_rate"] = Model!.Optimizer!.LearningRate;

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        if (GetMonitorValue(logs) is not double current) return;
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            Wait = 0;
        }
        if (IsImprovement(current, Best))
        {
            Best = current;
            Wait = 0;
        }
        else if (CooldownCounter == 0)
        {
            Wait++;
            if (Wait >= Patience && Reduce(epoch))
            {
                CooldownCounter = Cooldown;
                Wait = 0;
            }
        }
    }

    private bool Reduce(int epoch)
    {
        var optimizer = Model!.Optimizer!;
        double old = optimizer.LearningRate;
        // Keras compares in float32: a rate that has reached minLr up to float rounding is not reduced again.
        if (!(old > (float)MinLr)) return false;
        double lr = Math.Max(old * Factor, MinLr);
        optimizer.LearningRate = lr;
        if (Verbose > 0) Print($"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {PythonFormat.Repr(lr)}.");
        return true;
    }
}
