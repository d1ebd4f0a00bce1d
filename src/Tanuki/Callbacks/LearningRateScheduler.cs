namespace Tanuki.Callbacks;

/// <summary>
/// Sets the optimizer's learning rate at the start of each epoch from a schedule <c>(epoch, currentRate) → rate</c>
/// (epoch 0-based), as Keras's LearningRateScheduler does, and adds <c>learning_rate</c> to the epoch logs so the
/// History records it.
/// </summary>
/// <example><code>
/// // Keep the rate for 10 epochs, then decay it exponentially.
/// var schedule = new LearningRateScheduler((epoch, lr) => epoch &lt; 10 ? lr : lr * Math.Exp(-0.1));
/// </code></example>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, double, double> _schedule;

    /// <summary>Creates the callback from a schedule of the epoch and the current rate.</summary>
    /// <param name="schedule">Returns the rate for a (0-based) epoch given the current rate.</param>
    /// <param name="verbose">1 prints the rate set at each epoch.</param>
    public LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0)
    {
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        Verbose = verbose;
    }

    /// <summary>Creates the callback from a schedule of the epoch alone.</summary>
    public LearningRateScheduler(Func<int, double> schedule, int verbose = 0)
        : this(WithoutRate(schedule), verbose) { }

    /// <summary>0 silent, 1 messages.</summary>
    public int Verbose { get; }

    private static Func<int, double, double> WithoutRate(Func<int, double> schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        return (epoch, _) => schedule(epoch);
    }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch)
    {
        var optimizer = Model!.Optimizer!;
        double lr = _schedule(epoch, optimizer.LearningRate);
        if (!(lr >= 0) || double.IsInfinity(lr))
            throw new InvalidOperationException(
                $"The learning-rate schedule returned {lr} for epoch {epoch}; it must return a finite, non-negative rate.");
        optimizer.LearningRate = lr;
        if (Verbose > 0) Print($"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {PythonFormat.Repr(lr)}.");
    }

    internal override void AddToEpochLogs(int epoch, IDictionary<string, double> logs) =>
        logs["learning_rate"] = Model!.Optimizer!.LearningRate;
}
