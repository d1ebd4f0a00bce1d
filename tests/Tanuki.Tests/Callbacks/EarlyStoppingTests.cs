using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static Tanuki.Tests.Callbacks.CallbackHarness;

namespace Tanuki.Tests.Callbacks;

/// <summary>EarlyStopping follows Keras 3's early_stopping.py epoch by epoch (expected epochs worked out by hand from its rules).</summary>
public class EarlyStoppingTests
{
    [Fact]
    public void StopsAfterPatienceEpochsWithoutImprovement()
    {
        var model = CompiledModel();
        var stop = new EarlyStopping(patience: 2);
        // best 1.0, best 0.9, wait 1, wait 2 → stop at epoch index 3
        int ran = Run(model, Logs("val_loss", 1.0, 0.9, 0.95, 0.96, 0.97, 0.5), stop);
        Assert.Equal(4, ran);
        Assert.Equal(3, stop.StoppedEpoch);
        Assert.Equal(1, stop.BestEpoch);
        Assert.Equal(0.9, stop.Best);
    }

    [Fact]
    public void PatienceZeroStopsAtTheFirstEpochWithoutImprovement()
    {
        var model = CompiledModel();
        var stop = new EarlyStopping(patience: 0);
        Assert.Equal(3, Run(model, Logs("val_loss", 1.0, 0.5, 0.5, 0.1), stop));   // 0.5 does not beat 0.5
    }

    [Fact]
    public void MinDeltaDecidesWhatCountsAsImprovement()
    {
        var model = CompiledModel();
        var stop = new EarlyStopping(minDelta: -0.1, patience: 2);   // |minDelta| is used, as in Keras
        // 0.95 and 0.92 are within 0.1 of 1.0: no improvement → stop at index 2
        Assert.Equal(3, Run(model, Logs("val_loss", 1.0, 0.95, 0.92, 0.85), stop));
        Assert.Equal(0.1, stop.MinDelta);
    }

    [Fact]
    public void AutoModeMaximizesAccuracy()
    {
        var model = CompiledModel();
        var stop = new EarlyStopping(monitor: "val_accuracy", patience: 2);
        Assert.True(stop.Maximize);
        Assert.Equal(4, Run(model, Logs("val_accuracy", 0.5, 0.6, 0.55, 0.58, 0.9), stop));
        Assert.Equal(1, stop.BestEpoch);
        var min = new EarlyStopping(monitor: "val_accuracy", patience: 2, mode: "min");
        Assert.Equal(3, Run(model, Logs("val_accuracy", 0.5, 0.6, 0.7, 0.1), min));
    }

    [Fact]
    public void ABaselineNothingBeatsStopsAfterPatienceEpochs()
    {
        var model = CompiledModel();
        // Without a baseline: best at 0, waits 1 and 2 → stops at index 2.
        Assert.Equal(3, Run(model, Logs("val_loss", 0.9, 0.95, 0.96, 0.97), new EarlyStopping(patience: 2)));
        // With a baseline of 0.5, the first epoch improves but does not reset the count → stops at index 1.
        var stop = new EarlyStopping(patience: 2, baseline: 0.5);
        Assert.Equal(2, Run(model, Logs("val_loss", 0.9, 0.95, 0.96, 0.97), stop));
        Assert.Equal(1, stop.StoppedEpoch);
    }

    [Fact]
    public void StartFromEpochSkipsTheWarmUp()
    {
        var model = CompiledModel();
        var stop = new EarlyStopping(patience: 1, startFromEpoch: 2);
        // indices 0 and 1 are not watched; 3.0 is the first best; 4.0 exhausts patience 1 → stop at index 3
        Assert.Equal(4, Run(model, Logs("val_loss", 1.0, 2.0, 3.0, 4.0, 5.0), stop));
        Assert.Equal(2, stop.BestEpoch);
    }

    [Fact]
    public void RestoresTheBestEpochsWeightsEvenWithoutStoppingEarly()
    {
        var model = CompiledModel();
        var stop = new EarlyStopping(patience: 10, restoreBestWeights: true);
        // The "training" of epoch e sets every weight to e, so the restored value names the epoch.
        void Train(int e) => model.SetWeights(model.Weights.Select(w => torch.full(w.Shape, (float)e)).ToArray());
        int ran = Run(model, Logs("val_loss", 3, 2, 1, 2), Train, stop);
        Assert.Equal(4, ran);
        Assert.Equal(0, stop.StoppedEpoch);
        Assert.All(model.GetWeights(), w => Assert.Equal(2f, w.flatten()[0].item<float>()));
    }

    [Fact]
    public void DoesNotRestoreWhenNotAsked()
    {
        var model = CompiledModel();
        void Train(int e) => model.SetWeights(model.Weights.Select(w => torch.full(w.Shape, (float)e)).ToArray());
        Assert.Equal(2, Run(model, Logs("val_loss", 1, 2, 3), Train, new EarlyStopping(patience: 1)));
        Assert.All(model.GetWeights(), w => Assert.Equal(1f, w.flatten()[0].item<float>()));   // the last epoch's
    }

    [Fact]
    public void IsReusableAcrossFits()
    {
        var model = CompiledModel();
        var stop = new EarlyStopping(patience: 1);
        Assert.Equal(2, Run(model, Logs("val_loss", 0.1, 0.2, 0.3), stop));
        Assert.Equal(3, Run(model, Logs("val_loss", 5, 4, 4.5, 1), stop));   // the old best (0.1) is forgotten
    }

    [Fact]
    public void VerboseSaysWhenItStopsAndWhatItRestores()
    {
        var model = CompiledModel();
        var output = new StringWriter();
        var stop = new EarlyStopping(patience: 1, restoreBestWeights: true, verbose: 1) { Output = output };
        Run(model, Logs("val_loss", 1, 2, 3), stop);
        Assert.Contains("Epoch 2: early stopping", output.ToString());
        Assert.Contains("Restoring model weights from the end of the best epoch: 1.", output.ToString());
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentException>(() => new EarlyStopping(mode: "maximum"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(patience: -1));
        Assert.Throws<ArgumentException>(() => new EarlyStopping(monitor: ""));
    }

    /// <summary>
    /// A real Fit with a scripted val_loss: Dense(1, no bias) from kernel 0, full-batch SGD lr 0.125 on y = 2x with
    /// x = ±1, validated on y = x. By hand: k ← 0.75k + 0.5 gives k = 0.5, 0.875, 1.15625, 1.3671875 and val_loss
    /// (k − 1)² = 0.25, 0.015625, 0.0244140625, 0.1347... — best at epoch index 1, patience 2 stops at index 3, and
    /// the restored kernel is exactly 0.875.
    /// </summary>
    [Fact]
    public void InARealFitStopsAtTheRightEpochAndRestoresBitIdenticalWeights()
    {
        var dense = new Dense(1, useBias: false);
        var model = new Sequential(new Input(1), dense);
        model.SetWeights([torch.zeros(1, 1)]);
        model.Compile(new SGD(0.125), new MeanSquaredError());
        Tensor x = torch.tensor(new float[] { 1, -1, 1, -1 }).reshape(4, 1);
        var snapshots = new SnapshotWeights();
        var stop = new EarlyStopping(patience: 2, restoreBestWeights: true);
        History h = model.Fit(x, 2 * x, batchSize: 4, epochs: 20, verbose: 0, callbacks: [stop, snapshots], validationData: (x, x), shuffle: false);

        Assert.Equal(new[] { 0.25, 0.015625, 0.0244140625 }, h["val_loss"].Take(3));
        Assert.Equal(4, h.Epochs.Count);
        Assert.Equal(3, stop.StoppedEpoch);
        Assert.Equal(1, stop.BestEpoch);
        Assert.Equal(0.875f, dense.Weights[0].Value.item<float>());
        TensorAssert.Equal(snapshots.ByEpoch[1][0], model.GetWeights()[0]);
    }

    [Fact]
    public void RestoresBatchNormMovingStatisticsToo()
    {
        TanukiInfo.SetRandomSeed(3);
        var bn = new BatchNormalization();
        var model = new Sequential(new Input(4), new Dense(4), bn, new Dense(1));
        model.Compile(new SGD(0.01), new MeanSquaredError());
        Tensor x = torch.randn(16, 4), y = torch.randn(16, 1);
        var snapshots = new SnapshotWeights();
        // val_loss on data unlike the training data; whatever epoch is best, the model must end with its weights.
        var stop = new EarlyStopping(patience: 100, restoreBestWeights: true);
        model.Fit(x, y, batchSize: 8, epochs: 4, verbose: 0, callbacks: [stop, snapshots], validationData: (torch.randn(8, 4) * 3, torch.randn(8, 1)));
        Tensor[] best = snapshots.ByEpoch[stop.BestEpoch], now = model.GetWeights();
        Assert.Equal(best.Length, now.Length);
        for (int i = 0; i < best.Length; i++) TensorAssert.Equal(best[i], now[i]);
        Assert.Contains(bn.MovingMean!, model.Weights);
    }

    /// <summary>Records every weight at the end of each epoch.</summary>
    private sealed class SnapshotWeights : Callback
    {
        public Dictionary<int, Tensor[]> ByEpoch { get; } = new();
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => ByEpoch[epoch] = Model!.GetWeights();
    }
}
