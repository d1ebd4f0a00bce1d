namespace Tanuki.Callbacks;

/// <summary>Dispatches each event to every callback, in order.</summary>
internal sealed class CallbackList
{
    private readonly List<Callback> _callbacks;

    public CallbackList(IEnumerable<Callback> callbacks, Model model, IReadOnlyDictionary<string, long> parameters)
    {
        _callbacks = callbacks.ToList();
        foreach (Callback c in _callbacks)
        {
            c.Model = model;
            c.Params = parameters;
        }
    }

    /// <summary>Whether a callback takes over NaN or infinite losses (see <see cref="Callback.HandlesNonFiniteLoss"/>).</summary>
    public bool HandlesNonFiniteLoss => _callbacks.Any(c => c.HandlesNonFiniteLoss);

    public void OnTrainBegin(IReadOnlyDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainBegin(logs); }
    public void OnTrainEnd(IReadOnlyDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainEnd(logs); }
    public void OnEpochBegin(int epoch) { foreach (var c in _callbacks) c.OnEpochBegin(epoch); }

    /// <summary>Lets callbacks add log entries first (e.g. <c>learning_rate</c>), then calls every OnEpochEnd with the same logs.</summary>
    public void OnEpochEnd(int epoch, Dictionary<string, double> logs)
    {
        foreach (var c in _callbacks) c.AddToEpochLogs(epoch, logs);
        foreach (var c in _callbacks) c.OnEpochEnd(epoch, logs);
    }

    public void OnBatchBegin(int batch) { foreach (var c in _callbacks) c.OnBatchBegin(batch); }
    public void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnBatchEnd(batch, logs); }
}
