using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Optimizers;
using Tanuki.Tests.FineTuning;

namespace Tanuki.Tests.Callbacks;

public class GradualUnfreezingTests
{
    /// <summary>Records, at the first batch of each epoch (after Fit has read the trainable weights), what trains.</summary>
    private sealed class TrainableAtEachEpoch : Callback
    {
        public List<int> Counts { get; } = new();
        public List<Tensor[]> BaseAtEpochEnd { get; } = new();
        public required Layer Base { get; init; }
        public override void OnBatchBegin(int batch) { if (batch == 0) Counts.Add(Model!.TrainableWeights.Count); }
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => BaseAtEpochEnd.Add(StagedBase.Values(Base.Weights));
    }

    private static Variable Kernel(Model b, string layer) => b.FindLayer(layer).Weights[0];

    [Fact]
    public void UnfreezesStageByStageAndTrainingGoesOnWithoutRecompiling()
    {
        TanukiInfo.SetRandomSeed(12);
        var (clf, b, head) = StagedBase.Classifier();
        Optimizer optimizer = clf.Optimizer!;
        var (x, y) = StagedBase.Data(32, seed: 2);
        var record = new TrainableAtEachEpoch { Base = b };
        var unfreeze = new GradualUnfreezing(b, new Dictionary<int, string> { [2] = "stage3", [4] = "stage2" });
        Tensor[] initial = StagedBase.Values(b.Weights);

        clf.Fit(x, y, batchSize: 16, epochs: 5, verbose: 0, callbacks: [unfreeze, record]);

        // head 2; + stage3_dense, stage3_bn (gamma, beta) = 6; + stage2's two Dense = 10
        Assert.Equal(new[] { 2, 2, 6, 6, 10 }, record.Counts);
        Assert.Same(optimizer, clf.Optimizer);
        // 2 steps per epoch: the head's state ran through all 5 epochs, stage3's from epoch 2, stage2's from epoch 4.
        Assert.Equal(10, optimizer.StepsOf(head.Weights[0]));
        Assert.Equal(6, optimizer.StepsOf(Kernel(b, "stage3_dense")));
        Assert.Equal(2, optimizer.StepsOf(Kernel(b, "stage2_dense_a")));
        Assert.Equal(0, optimizer.StepsOf(Kernel(b, "stem_dense")));
        // The base did not move before epoch 2; the stem never moved; stage3 moved after.
        for (int i = 0; i < initial.Length; i++) TensorAssert.Equal(initial[i], record.BaseAtEpochEnd[1][i]);
        int stem = b.Weights.ToList().IndexOf(Kernel(b, "stem_dense"));
        int stage3 = b.Weights.ToList().IndexOf(Kernel(b, "stage3_dense"));
        TensorAssert.Equal(initial[stem], record.BaseAtEpochEnd[4][stem]);
        Assert.False(TensorAssert.BitEqual(initial[stage3], record.BaseAtEpochEnd[4][stage3]));
        Assert.Equal(new[] { 2, 4 }, unfreeze.Steps.Select(s => s.Epoch));
        Assert.Equal(new[] { "stage2_dense_a", "stage2_dense_b" }, unfreeze.Steps[1].Layers.Select(l => l.Name));
    }

    [Fact]
    public void ByFractionsWithCompoundingLearningRates()
    {
        TanukiInfo.SetRandomSeed(13);
        var (clf, b, head) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(16, seed: 3);
        var output = new StringWriter();
        var unfreeze = new GradualUnfreezing(b, new Dictionary<int, double> { [1] = 0.25, [2] = 0.5 }, learningRateMultiplier: 0.5, verbose: 1) { Output = output };
        clf.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, callbacks: [unfreeze]);
        Optimizer opt = clf.Optimizer!;
        Assert.Equal(1, opt.GetLearningRateMultiplier(head.Weights[0]));
        Assert.Equal(0.5, opt.GetLearningRateMultiplier(Kernel(b, "stage3_dense")));      // first group: the top 25 % = 2 layers
        Assert.Equal(0.25, opt.GetLearningRateMultiplier(Kernel(b, "stage2_dense_a")));   // second group: the next 2
        Assert.Equal(1, opt.GetLearningRateMultiplier(Kernel(b, "stage1_dense")));
        Assert.Contains("Epoch 2: GradualUnfreezing unfroze the top 25% of 'base': 2 layers (stage3_dense … stage3_bn)", output.ToString());
        Assert.Contains("at learning rate × 0.25", output.ToString());
    }

    [Fact]
    public void NeverFreezesAgainAndStartsFrozen()
    {
        var (clf, b, _) = StagedBase.Classifier();
        b.Trainable = true;                                               // frozen again at train begin
        var (x, y) = StagedBase.Data(16, seed: 4);
        var record = new TrainableAtEachEpoch { Base = b };
        var unfreeze = new GradualUnfreezing(b, new Dictionary<int, string> { [1] = "stage2", [2] = "stage3" });
        clf.Fit(x, y, batchSize: 16, epochs: 3, verbose: 0, callbacks: [unfreeze, record]);
        Assert.Equal(new[] { 2, 10, 10 }, record.Counts);
        Assert.Empty(unfreeze.Steps[1].Layers);
    }

    [Fact]
    public void WeightsUnfrozenAgainStartWithFreshOptimizerState()
    {
        TanukiInfo.SetRandomSeed(14);
        var (clf, b, head) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(16, seed: 5);
        clf.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0);             // everything trains: 2 steps of state for all
        Optimizer opt = clf.Optimizer!;
        Assert.Equal(2, opt.StepsOf(Kernel(b, "stage3_dense")));
        clf.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, callbacks: [new GradualUnfreezing(b, new Dictionary<int, string> { [1] = "stage3" })]);
        Assert.Equal(1, opt.StepsOf(Kernel(b, "stage3_dense")));         // stale state dropped at unfreezing
        Assert.Equal(4, opt.StepsOf(head.Weights[0]));                   // the head's kept
        Assert.Equal(2, opt.StepsOf(Kernel(b, "stem_dense")));           // frozen: state kept, untouched

        clf.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0,
                callbacks: [new GradualUnfreezing(b, new Dictionary<int, string> { [1] = "stage3" }, resetOptimizerState: true)]);
        Assert.Equal(1, opt.StepsOf(head.Weights[0]));                   // fastai's rule: everything starts afresh
        Assert.Equal(0, opt.StepsOf(Kernel(b, "stem_dense")));
    }

    [Fact]
    public void BadSchedulesFailBeforeTraining()
    {
        var (clf, b, head) = StagedBase.Classifier();
        var e = Assert.Throws<ArgumentException>(() => new GradualUnfreezing(b, new Dictionary<int, string> { [1] = "stage7" }));
        Assert.Contains("stage3_bn", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradualUnfreezing(b, new Dictionary<int, double> { [1] = 1.5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GradualUnfreezing(b, new Dictionary<int, double> { [-1] = 0.5 }));
        var other = StagedBase.Create();
        var (x, y) = StagedBase.Data(16, seed: 6);
        var notPart = Assert.Throws<InvalidOperationException>(() =>
            clf.Fit(x, y, epochs: 1, verbose: 0, callbacks: [new GradualUnfreezing(other, new Dictionary<int, double> { [0] = 0.5 })]));
        Assert.Contains("is not part of model", notPart.Message);
        Assert.True(head.Trainable);
    }
}
