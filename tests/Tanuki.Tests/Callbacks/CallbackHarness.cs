using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Callbacks;

/// <summary>Drives callbacks through Fit's events with scripted logs, so their rules can be checked epoch by epoch.</summary>
internal static class CallbackHarness
{
    public static Sequential CompiledModel(Optimizer? optimizer = null)
    {
        var model = new Sequential(new Input(2), new Dense(1));
        model.Compile(optimizer ?? new SGD(0.1), new MeanSquaredError());
        return model;
    }

    /// <summary>
    /// Runs the events Fit would for these epoch logs; returns how many epochs ran before StopTraining.
    /// <c>beforeEpochEnd</c> is called after OnEpochBegin, where Fit would train (e.g. to set weights).
    /// </summary>
    public static int Run(Model model, IReadOnlyList<Dictionary<string, double>> epochLogs, Action<int>? beforeEpochEnd = null, params Callback[] callbacks)
    {
        var list = new CallbackList(callbacks, model, new Dictionary<string, long> { ["epochs"] = epochLogs.Count, ["steps"] = 1, ["verbose"] = 0 });
        model.StopTraining = false;
        list.OnTrainBegin(new Dictionary<string, double>());
        int epoch = 0;
        for (; epoch < epochLogs.Count && !model.StopTraining; epoch++)
        {
            list.OnEpochBegin(epoch);
            beforeEpochEnd?.Invoke(epoch);
            list.OnEpochEnd(epoch, new Dictionary<string, double>(epochLogs[epoch]));
        }
        list.OnTrainEnd(new Dictionary<string, double>());
        return epoch;
    }

    public static int Run(Model model, IReadOnlyList<Dictionary<string, double>> epochLogs, params Callback[] callbacks) =>
        Run(model, epochLogs, null, callbacks);

    /// <summary>Epoch logs with <paramref name="key"/> taking the given values (and a loss beside it).</summary>
    public static List<Dictionary<string, double>> Logs(string key, params double[] values) =>
        values.Select(v => new Dictionary<string, double> { ["loss"] = 1, [key] = v }).ToList();
}
