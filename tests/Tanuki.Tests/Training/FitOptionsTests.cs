using Microsoft.Extensions.Logging;

namespace Tanuki.Tests.Training;

/// <summary>Fit reports through FitOptions: its text to a TextWriter, structured progress to an IProgress, entries to an ILogger.</summary>
public class FitOptionsTests
{
    [Fact]
    public void ProgressGetsOneReportPerStepAndOnePerEpoch()
    {
        var (x, y) = SmallModel.Data(50, 1);
        var (vx, vy) = SmallModel.Data(20, 2);
        var progress = new Collect<FitProgress>();
        History h = SmallModel.Compiled(seed: 5).Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, validationData: (vx, vy),
                                options: new FitOptions { Progress = progress, Stage = "head" });
        // 50 samples in batches of 16: 4 steps (16, 16, 16, 2); 3 epochs × (4 steps + 1 epoch end).
        Assert.Equal(15, progress.Items.Count);
        Assert.Equal(new[] { 1, 2, 3, 4, 4 }, progress.Items.Take(5).Select(p => p.Step));
        Assert.Equal(new[] { false, false, false, false, true }, progress.Items.Take(5).Select(p => p.EpochEnded));
        Assert.All(progress.Items, p => Assert.Equal((3, 4L, "head"), (p.Epochs, p.Steps, p.Stage)));
        Assert.Equal(new[] { 0, 1, 2 }, progress.Items.Where(p => p.EpochEnded).Select(p => p.Epoch));
        // The epoch-end reports carry the History's numbers, validation included; step reports do not validate.
        Assert.Equal(h["val_loss"], progress.Items.Where(p => p.EpochEnded).Select(p => p.Logs["val_loss"]));
        Assert.Equal(h["loss"], progress.Items.Where(p => p.EpochEnded).Select(p => p.Logs["loss"]));
        Assert.DoesNotContain(progress.Items.Where(p => !p.EpochEnded), p => p.Logs.ContainsKey("val_loss"));
    }

    [Fact]
    public void ATextWriterGetsTheEpochLinesAndTheConsoleNothing()
    {
        var (x, y) = SmallModel.Data(40, 3);
        var output = new StringWriter();
        History h = SmallModel.Compiled(seed: 5).Fit(x, y, batchSize: 10, epochs: 2, verbose: 1, options: new FitOptions { Output = output });
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("Epoch 1/2", lines[0]);
        Assert.Matches(@"^4/4 \[=+\] - \d+s \d+(ms|us|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}$", lines[1]);
        Assert.Equal("Epoch 2/2", lines[2]);
        Assert.EndsWith($"loss: {h["loss"][1].ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)} - accuracy: " +
                        h["accuracy"][1].ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture), lines[3]);
        var quiet = new StringWriter();
        SmallModel.Compiled(seed: 5).Fit(x, y, batchSize: 10, epochs: 1, verbose: 0, options: new FitOptions { Output = quiet });
        Assert.Equal("", quiet.ToString());
    }

    [Fact]
    public void ALoggerGetsOneEntryPerEpochWithItsNumbersWhateverVerboseIs()
    {
        var (x, y) = SmallModel.Data(30, 4);
        var logger = new ListLogger();
        History h = SmallModel.Compiled(seed: 5).Fit(x, y, batchSize: 10, epochs: 2, verbose: 0, options: new FitOptions { Logger = logger });
        Assert.Equal(2, logger.Entries.Count);
        Assert.All(logger.Entries, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.StartsWith("Epoch 2/2: 3 steps - loss: ", logger.Entries[1].Message);
        var state = logger.Entries[1].State!.ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(2, state["Epoch"]);
        Assert.Equal(h["loss"][1], state["loss"]);
        Assert.Equal(h["accuracy"][1], state["accuracy"]);

        // Cancellation is a warning.
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var warned = new ListLogger();
        Assert.Throws<TrainingCanceledException>(() => SmallModel.Compiled(seed: 5).Fit(x, y, verbose: 0, options: new FitOptions { Logger = warned }, cancellationToken: cancel.Token));
        Assert.Equal(LogLevel.Warning, Assert.Single(warned.Entries).Level);
    }

    [Fact]
    public void InitialEpochStartsTheEpochCountThereAndIsChecked()
    {
        var (x, y) = SmallModel.Data(20, 5);
        var progress = new Collect<FitProgress>();
        History h = SmallModel.Compiled(seed: 5).Fit(x, y, batchSize: 10, epochs: 3, initialEpoch: 1, verbose: 0, options: new FitOptions { Progress = progress });
        Assert.Equal(new[] { 1, 2 }, h.Epochs);
        Assert.Equal(new[] { 1, 2 }, progress.Items.Where(p => p.EpochEnded).Select(p => p.Epoch));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SmallModel.Compiled(seed: 5).Fit(x, y, epochs: 2, initialEpoch: 2, verbose: 0));
        Assert.Contains("initialEpoch must be at least 0 and less than epochs (2)", e.Message);
    }
}
