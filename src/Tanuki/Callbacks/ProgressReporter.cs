using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Tanuki.Callbacks;

/// <summary>
/// <see cref="FitOptions.Progress"/> and <see cref="FitOptions.Logger"/> as a callback, the way the progress bar is
/// one: a <see cref="FitProgress"/> after each step and at each epoch's end, and one log entry per epoch.
/// </summary>
internal sealed class ProgressReporter(FitOptions options) : Callback
{
    private int _epoch;
    private int _epochs;
    private long _steps;
    private int _done;

    public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
    {
        _epochs = (int)Params.GetValueOrDefault("epochs", 1);
        _steps = Params.GetValueOrDefault("steps", -1);
    }

    public override void OnEpochBegin(int epoch)
    {
        _epoch = epoch;
        _done = 0;
    }

    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        _done = batch + 1;
        options.Progress?.Report(new FitProgress(options.Stage, _epoch, _epochs, _done, _steps, Copy(logs), EpochEnded: false));
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        options.Progress?.Report(new FitProgress(options.Stage, epoch, _epochs, _done, _steps, Copy(logs), EpochEnded: true));
        if (options.Logger is not ILogger logger || !logger.IsEnabled(LogLevel.Information)) return;
        var state = new List<KeyValuePair<string, object?>>
        {
            new("Epoch", epoch + 1), new("Epochs", _epochs), new("Steps", _done),
        };
        if (options.Stage is not null) state.Add(new("Stage", options.Stage));
        foreach (var (k, v) in logs) state.Add(new(k, v));
        string line = string.Create(CultureInfo.InvariantCulture, $"{(options.Stage is null ? "" : options.Stage + ": ")}Epoch {epoch + 1}/{_epochs}: {_done} steps") +
                      string.Concat(logs.Select(kv => $" - {kv.Key}: {ProgressBar.Format(kv.Value)}"));
        logger.Log(LogLevel.Information, default, state, null, (_, _) => line);
    }

    private static Dictionary<string, double> Copy(IReadOnlyDictionary<string, double> logs) => new(logs);
}
