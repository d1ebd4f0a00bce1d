using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Callbacks;

public class LearningRateSchedulerTests
{
    private static Sequential Model(double lr)
    {
        TanukiInfo.SetRandomSeed(4);
        var model = new Sequential(new Input(2), new Dense(1));
        model.Compile(new SGD(lr), new MeanSquaredError());
        return model;
    }

    [Fact]
    public void SetsTheRateAtEachEpochAndLogsIt()
    {
        var model = Model(0.1);
        var rates = new List<double>();
        var record = new RecordRateAtFirstBatch(rates);
        var schedule = new LearningRateScheduler((epoch, lr) => epoch < 2 ? lr : lr * 0.5);
        History h = model.Fit(torch.randn(8, 2), torch.randn(8, 1), batchSize: 4, epochs: 4, verbose: 0, callbacks: [schedule, record]);
        Assert.Equal(new[] { 0.1, 0.1, 0.05, 0.025 }, rates);            // the rate the steps used
        Assert.Equal(new[] { 0.1, 0.1, 0.05, 0.025 }, h["learning_rate"]);
    }

    [Fact]
    public void TheStepsReallyUseTheScheduledRate()
    {
        // Two identical models, one with a schedule that zeroes the rate from epoch 1 on: its weights after epoch 0 never change.
        var model = Model(0.1);
        var weights = new List<Tensor[]>();
        var snapshot = new Snapshot(weights);
        model.Fit(torch.randn(8, 2), torch.randn(8, 1), batchSize: 4, epochs: 3, verbose: 0,
                  callbacks: [new LearningRateScheduler(epoch => epoch == 0 ? 0.1 : 0.0), snapshot]);
        TensorAssert.Equal(weights[0][0], weights[2][0]);
    }

    [Fact]
    public void VerboseAndBadSchedules()
    {
        var model = Model(0.1);
        var output = new StringWriter();
        model.Fit(torch.randn(4, 2), torch.randn(4, 1), epochs: 1, verbose: 0,
                  callbacks: [new LearningRateScheduler(_ => 1e-5, verbose: 1) { Output = output }]);
        Assert.Contains("Epoch 1: LearningRateScheduler setting learning rate to 1e-05.", output.ToString());
        var e = Assert.Throws<InvalidOperationException>(() =>
            model.Fit(torch.randn(4, 2), torch.randn(4, 1), epochs: 1, verbose: 0, callbacks: [new LearningRateScheduler(_ => double.NaN)]));
        Assert.Contains("schedule returned NaN for epoch 0", e.Message);
    }

    private sealed class RecordRateAtFirstBatch(List<double> rates) : Callback
    {
        public override void OnBatchBegin(int batch) { if (batch == 0) rates.Add(Model!.Optimizer!.LearningRate); }
    }

    private sealed class Snapshot(List<Tensor[]> weights) : Callback
    {
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => weights.Add(Model!.GetWeights());
    }
}
