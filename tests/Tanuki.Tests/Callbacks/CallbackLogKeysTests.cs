using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Callbacks;

/// <summary>What callbacks see in their logs during a real Fit.</summary>
public class CallbackLogKeysTests
{
    [Fact]
    public void CallbacksSeeLossMetricsValidationAndLearningRate()
    {
        TanukiInfo.SetRandomSeed(7);
        var model = new Sequential(new Input(4), new Dense(8, activation: "relu"), new Dense(3));
        model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        Tensor x = torch.randn(16, 4), y = torch.randint(0, 3, 16);
        var keys = new RecordKeys();
        // The recorder comes first: learning_rate is in the logs before any OnEpochEnd, wherever the scheduler sits.
        History h = model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, validationData: (x, y),
                              callbacks: [keys, new LearningRateScheduler((_, lr) => lr)]);
        string[] epochKeys = ["loss", "accuracy", "val_loss", "val_accuracy", "learning_rate"];
        Assert.Equal(2, keys.Epoch.Count);
        Assert.All(keys.Epoch, k => Assert.Equal(epochKeys.Order(), k.Order()));
        Assert.All(keys.Batch, k => Assert.Equal(new[] { "accuracy", "loss" }, k.Order()));
        Assert.Equal(4, keys.Batch.Count);
        Assert.Equal(epochKeys.Order(), h.Metrics.Keys.Order());
        Assert.Equal(new[] { 1e-3, 1e-3 }, h["learning_rate"]);
    }

    [Fact]
    public void WithoutASchedulerThereIsNoLearningRateKey()
    {
        var model = CallbackHarness.CompiledModel();
        History h = model.Fit(torch.randn(4, 2), torch.randn(4, 1), epochs: 1, verbose: 0);
        Assert.Equal(new[] { "loss" }, h.Metrics.Keys);
    }

    [Fact]
    public void AMissingMonitorKeyWarnsOnceAndListsTheKeys()
    {
        var model = CallbackHarness.CompiledModel(new SGD(0.1));
        var output = new StringWriter();
        var plateau = new ReduceLROnPlateau(patience: 0) { Output = output };
        model.Fit(torch.randn(4, 2), torch.randn(4, 1), epochs: 3, verbose: 0, callbacks: [plateau]);
        string text = output.ToString();
        Assert.Equal(
            "Warning: ReduceLROnPlateau monitors \"val_loss\", which is not in the logs, so it does nothing. Available keys: loss, learning_rate. " +
            "Validation keys appear only when Fit gets validationData or validationSplit." + Environment.NewLine,
            text);
        Assert.Equal(0.1, model.Optimizer!.LearningRate);                // it did nothing

        var stop = new EarlyStopping(monitor: "val_acc", mode: "max") { Output = output };
        model.Fit(torch.randn(4, 2), torch.randn(4, 1), epochs: 2, verbose: 0, validationSplit: 0.5, callbacks: [stop]);
        Assert.Contains("EarlyStopping monitors \"val_acc\", which is not in the logs, so it does nothing. Available keys: loss, val_loss.", output.ToString());

        // In "auto" mode a quantity that is neither the loss nor a compiled metric is an error, as in Keras 3
        // (early_stopping_test.py::test_early_stopping): a typo cannot silently switch early stopping off.
        var e = Assert.Throws<ArgumentException>(() =>
            model.Fit(torch.randn(4, 2), torch.randn(4, 1), epochs: 2, verbose: 0, validationSplit: 0.5, callbacks: [new EarlyStopping(monitor: "val_acc")]));
        Assert.Contains("monitor=\"val_acc\"", e.Message);
    }

    private sealed class RecordKeys : Callback
    {
        public List<string[]> Epoch { get; } = new();
        public List<string[]> Batch { get; } = new();
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => Epoch.Add(logs.Keys.ToArray());
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) => Batch.Add(logs.Keys.ToArray());
    }
}
