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

    public void OnTrainBegin(IReadOnlyDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainBegin(logs); }
    public void OnTrainEnd(IReadOnlyDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnTrainEnd(logs); }
    public void OnEpochBegin(int epoch) { foreach (var c in _callbacks) c.OnEpochBegin(epoch); }
    public void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnEpochEnd(epoch, logs); }
    public void OnBatchBegin(int batch) { foreach (var c in _callbacks) c.OnBatchBegin(batch); }
    public void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) { foreach (var c in _callbacks) c.OnBatchEnd(batch, logs); }
}
