using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using Tanuki.Tests.Training;

namespace Tanuki.Tests.FineTuning;

/// <summary>
/// The recipe cancelled: in stage 2 it puts the frozen-base model back (and says so), in the frozen-feature pass it stops
/// within one batch; its progress and log go where FineTuneOptions says.
/// </summary>
public class FineTuneCancellationTests
{
    /// <summary>Copies the model's weights when each Fit begins; counts steps and cancels after the given one.</summary>
    private sealed class CancelAt(int step, CancellationTokenSource cancel) : Callback
    {
        public int Steps;
        public List<Tensor[]> ModelAtTrainBegin { get; } = new();
        public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs) => ModelAtTrainBegin.Add(Model!.GetWeights());

        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
        {
            if (++Steps == step) cancel.Cancel();
        }
    }

    [Fact]
    public void CancelledInStage2TheFrozenBaseModelComesBack()
    {
        TanukiInfo.SetRandomSeed(41);
        var (clf, b, _) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(48, seed: 21);
        var (vx, vy) = StagedBase.Data(24, seed: 22);
        using var cancel = new CancellationTokenSource();
        var counter = new CancelAt(4, cancel);   // 48 images in batches of 16: 3 steps per epoch, so epoch 2's first step
        var e = Assert.Throws<TrainingCanceledException>(() => clf.FineTune(b, x, y, batchSize: 16, validationData: (vx, vy),
            options: new FineTuneOptions { FineTuneEpochs = 3, FineTuneMinimumValidation = 10, Verbose = 0, Callbacks = [counter] },
            cancellationToken: cancel.Token));

        Assert.Equal(1, e.CompletedStages);
        Assert.Equal(4, counter.Steps);                      // no step after the one that cancelled
        Assert.Equal(new[] { 0 }, e.History.Epochs);         // stage 2's completed epoch
        Assert.Contains("frozen-base model of stage 1", e.Message);
        Tensor[] stage1 = counter.ModelAtTrainBegin.Single(), now = clf.GetWeights();
        for (int i = 0; i < now.Length; i++) TensorAssert.Equal(stage1[i], now[i]);   // bit for bit the model stage 2 started from
        Assert.False(b.Trainable);
    }

    [Fact]
    public void CancelledInTheFrozenFeaturePassTheRecipeStopsWithinOneBatch()
    {
        using var cancel = new CancellationTokenSource();
        TanukiInfo.SetRandomSeed(42);
        var frozen = new CancellingDense(8, cancelAtCall: 2, cancel);
        var bIn = new Input(4);
        var b = new Model(bIn, frozen.Call(bIn), name: "base");
        var inputs = new Input(4);
        var clf = new Model(inputs, new Dense(3, name: "head").Call(b.Call(inputs, training: false)));
        clf.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true));
        var (x, y) = StagedBase.Data(600, seed: 23);   // the feature pass takes 128 samples at a time: 5 passes
        frozen.Calls = 0;
        var e = Assert.Throws<TrainingCanceledException>(() =>
            clf.FineTune(b, x, y, options: new FineTuneOptions { FineTuneEpochs = 0, Verbose = 0 }, cancellationToken: cancel.Token));
        Assert.Equal(2, frozen.Calls);
        Assert.Equal(0, e.CompletedStages);
    }

    [Fact]
    public void TheRecipeLogsItsChoicesAndReportsStage2Progress()
    {
        TanukiInfo.SetRandomSeed(43);
        var (clf, b, _) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(48, seed: 24);
        var (vx, vy) = StagedBase.Data(24, seed: 25);
        var logger = new ListLogger();
        var progress = new Collect<FitProgress>();
        var output = new StringWriter();
        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, validationData: (vx, vy), options: new FineTuneOptions
        {
            FineTuneEpochs = 2, FineTuneMinimumValidation = 10, KeepFineTuning = "always", Verbose = 0, Logger = logger, Progress = progress, Output = output,
        });
        Assert.Equal("", output.ToString());                                     // verbose 0: no text
        foreach (FineTuneChoice c in r.Choices) Assert.Contains(c.ToString(), logger.Messages);   // yet every choice is logged
        Assert.Contains(logger.Messages, m => m.StartsWith("fine-tuning: Epoch 2/2: 3 steps - loss: ", StringComparison.Ordinal));
        Assert.Equal(2 * (3 + 1), progress.Items.Count);                        // 2 epochs × (3 steps + the epoch's end)
        Assert.All(progress.Items, p => Assert.Equal("fine-tuning", p.Stage));
        Assert.Equal(r.Stage2["val_loss"], progress.Items.Where(p => p.EpochEnded).Select(p => p.Logs["val_loss"]));
    }
}
