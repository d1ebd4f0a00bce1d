using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Training;

/// <summary>
/// Cancelling Fit, Evaluate and Predict: a stop at a step boundary (the step under way completes, no later one starts),
/// within one batch of the frozen-feature pass, and before anything when the token is already cancelled.
/// </summary>
[Collection(NonParallel.Name)]   // lowers the feature cache's size threshold for every model (the process defaults)
public class FitCancellationTests : IDisposable
{
    private readonly long _threshold = ExecutionOptions.Default.FeatureCacheMinimumFrozenParameters;

    public FitCancellationTests() => ExecutionOptions.Default.FeatureCacheMinimumFrozenParameters = 0;

    public void Dispose() => ExecutionOptions.Default.FeatureCacheMinimumFrozenParameters = _threshold;

    /// <summary>Counts every event and cancels a token (or sets StopTraining) after a given global step.</summary>
    private sealed class StopAt(int globalStep, CancellationTokenSource? cancel) : Callback
    {
        public int Steps;
        public int BatchBegins;
        public bool TrainBegan;
        public bool TrainEnded;

        public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs) => TrainBegan = true;
        public override void OnTrainEnd(IReadOnlyDictionary<string, double> logs) => TrainEnded = true;
        public override void OnBatchBegin(int batch) => BatchBegins++;

        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
        {
            if (++Steps != globalStep) return;
            if (cancel is null) Model!.StopTraining = true;
            else cancel.Cancel();
        }
    }

    [Fact]
    public void CancellingFromACallbackAtStepKRunsExactlyKStepsAndLeavesTheWeightsOfStopTrainingAtK()
    {
        var (x, y) = SmallModel.Data(100, 1);   // 10 steps per epoch
        // Reference: Keras's stop_training at the same step, which ends training after that step.
        Model reference = SmallModel.Compiled(7);
        var stop = new StopAt(13, null);
        TanukiInfo.SetRandomSeed(70);
        reference.Fit(x, y, batchSize: 10, epochs: 3, verbose: 0, callbacks: [stop]);

        Model model = SmallModel.Compiled(7);
        using var cancel = new CancellationTokenSource();
        var counter = new StopAt(13, cancel);
        TanukiInfo.SetRandomSeed(70);
        var e = Assert.Throws<TrainingCanceledException>(() =>
            model.Fit(x, y, batchSize: 10, epochs: 3, verbose: 0, callbacks: [counter], cancellationToken: cancel.Token));

        Assert.Equal(13, counter.Steps);                       // steps 1..13 ran: 10 in epoch 1, 3 in epoch 2
        Assert.Equal(13, counter.BatchBegins);                 // and no 14th began
        Assert.Equal(13, model.Optimizer!.Iterations);
        Assert.False(counter.TrainEnded);                      // an exception, not an end of training
        Assert.Equal(cancel.Token, e.CancellationToken);
        Assert.Equal(0, e.CompletedStages);
        Assert.Equal(new[] { 0 }, e.History.Epochs);           // the completed epoch, reachable on the exception
        Assert.Same(e.History, model.History);                 // and on the model
        Assert.Single(e.History["loss"]);
        Assert.Contains("after step 3 of epoch 2", e.Message);
        Tensor[] expected = reference.GetWeights(), actual = model.GetWeights();
        for (int i = 0; i < expected.Length; i++) TensorAssert.Equal(expected[i], actual[i]);
        Assert.All(model.Weights, v => Assert.True(v.Value.isfinite().all().item<bool>()));
    }

    [Fact]
    public void AnAlreadyCancelledTokenRunsNoStep()
    {
        var (x, y) = SmallModel.Data(40, 2);
        Model model = SmallModel.Compiled(8);
        Tensor[] before = model.GetWeights();
        var counter = new StopAt(-1, null);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var e = Assert.Throws<TrainingCanceledException>(() =>
            model.Fit(x, y, batchSize: 10, epochs: 2, verbose: 0, callbacks: [counter], cancellationToken: cancel.Token));
        Assert.Equal(0, counter.BatchBegins);
        Assert.False(counter.TrainBegan);
        Assert.Empty(e.History.Epochs);
        Assert.Equal(0, model.Optimizer!.Iterations);
        Tensor[] after = model.GetWeights();
        for (int i = 0; i < before.Length; i++) TensorAssert.Equal(before[i], after[i]);
        Assert.Throws<OperationCanceledException>(() => model.Evaluate(x, y, verbose: 0, cancellationToken: cancel.Token));
        Assert.Throws<OperationCanceledException>(() => model.Predict(x, cancellationToken: cancel.Token));
    }

    [Fact]
    public void CancellingDuringTheFeatureCachePassStopsWithinOneBatch()
    {
        using var cancel = new CancellationTokenSource();
        TanukiInfo.SetRandomSeed(9);
        var frozen = new CancellingDense(16, cancelAtCall: 2, cancel) { Trainable = false };
        var inputs = new Input(6);
        var model = new Model(inputs, new Dense(3).Call(new ReLU().Call(frozen.Call(inputs))));
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true));
        var (x, y) = SmallModel.Data(1000, 3);   // the cache's pass takes 128 samples at a time: 8 passes
        frozen.Calls = 0;
        var counter = new StopAt(-1, null);
        var e = Assert.Throws<TrainingCanceledException>(() =>
            model.Fit(x, y, batchSize: 32, epochs: 1, verbose: 0, callbacks: [counter], cancellationToken: cancel.Token));
        Assert.Equal(2, frozen.Calls);                         // the pass stopped after the batch that cancelled
        Assert.Equal(0, counter.BatchBegins);                  // and no training step ran
        Assert.Contains("frozen-feature pass", e.Message);
    }

    [Fact]
    public void PredictAndEvaluateStopWithinOneBatch()
    {
        var (x, y) = SmallModel.Data(100, 4);
        foreach (bool evaluate in new[] { false, true })
        {
            using var cancel = new CancellationTokenSource();
            TanukiInfo.SetRandomSeed(10);
            var layer = new CancellingDense(3, cancelAtCall: 3, cancel);
            var inputs = new Input(6);
            var model = new Model(inputs, layer.Call(inputs));   // a custom layer: not exportable, so libtorch runs it
            model.Compile(new SGD(0.1), new SparseCategoricalCrossentropy(fromLogits: true));
            layer.Calls = 0;
            Assert.ThrowsAny<OperationCanceledException>(() =>
            {
                if (evaluate) model.Evaluate(x, y, batchSize: 10, verbose: 0, cancellationToken: cancel.Token);
                else model.Predict(x, batchSize: 10, cancellationToken: cancel.Token);
            });
            Assert.Equal(3, layer.Calls);
        }
    }

    [Theory]
    [InlineData(1)]   // one batch done: the output that would have been returned as it is
    [InlineData(3)]   // three done: the parts that would have been concatenated
    public void ACancelledPredictLeavesNoTensorBehind(int cancelAtCall)
    {
        var (x, _) = SmallModel.Data(100, 4);
        using var cancel = new CancellationTokenSource();
        TanukiInfo.SetRandomSeed(11);
        var layer = new CancellingDense(3, 1 + cancelAtCall, cancel);   // its first call is the warm-up below
        var inputs = new Input(6);
        var model = new Model(inputs, layer.Call(inputs));
        model.Predict(x[..10]).Dispose();   // builds the model's weights before the count
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.ThrowsAny<OperationCanceledException>(() => model.Predict(x, batchSize: 10, cancellationToken: cancel.Token));
        Assert.Equal(1 + cancelAtCall, layer.Calls);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
