using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Optimizers;

namespace Tanuki.Tests.FineTuning;

public class FineTuneTests
{
    /// <summary>Copies of the base's weights at each epoch end, numbered across both stages.</summary>
    private sealed class Recorder(Layer watched) : Callback
    {
        public List<Tensor[]> Base { get; } = new();
        public List<Tensor[]> All { get; } = new();
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
        {
            Base.Add(StagedBase.Values(watched.Weights));
            All.Add(Model!.GetWeights());
        }
    }

    private static Tensor[] MovingStatistics(Model b) =>
        StagedBase.Values(b.LeafLayers().OfType<BatchNormalization>().SelectMany(bn => new[] { bn.MovingMean!, bn.MovingVariance! }));

    [Fact]
    public void RunsBothStagesAndReturnsBothHistories()
    {
        TanukiInfo.SetRandomSeed(31);
        var (clf, b, _) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(48, seed: 8);
        var (vx, vy) = StagedBase.Data(24, seed: 9);
        Optimizer stage1Optimizer = clf.Optimizer!;
        Tensor[] initialBase = StagedBase.Values(b.Weights);
        Tensor[] initialStats = MovingStatistics(b);
        var recorder = new Recorder(b);

        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, validationData: (vx, vy),
            options: new FineTuneOptions { HeadEpochs = 3, FineTuneEpochs = 2, RestoreBestWeights = false, Verbose = 0, Callbacks = [recorder] });

        Assert.Equal(3, r.Stage1.Epochs.Count);
        Assert.Equal(2, r.Stage2.Epochs.Count);
        Assert.Equal(3, r.Stage2StartEpoch);
        Assert.Equal(5, r.Combined("val_loss").Count);
        Assert.Equal(r.Stage1["loss"].Concat(r.Stage2["loss"]), r.Combined("loss"));
        Assert.Equal(new[] { "accuracy", "learning_rate", "loss", "val_accuracy", "val_loss" }, r.Stage2.Metrics.Keys.Order());
        // Stage 1 left the base alone; stage 2 trained it, with a fresh Adam at 1e-4 decaying on a cosine (1e-4, then 5e-5).
        for (int i = 0; i < initialBase.Length; i++) TensorAssert.Equal(initialBase[i], recorder.Base[2][i]);
        Assert.False(TensorAssert.BitEqual(initialBase[0], recorder.Base[4][0]));
        Assert.NotSame(stage1Optimizer, clf.Optimizer);
        Assert.IsType<Adam>(clf.Optimizer);
        Assert.Equal(5e-5, clf.Optimizer!.LearningRate, 12);
        Assert.Equal(new[] { 1e-4, 5e-5 }, r.Stage2["learning_rate"].Select(v => Math.Round(v, 12)));
        Assert.Equal(8, r.UnfrozenLayers.Count);
        Assert.Empty(r.BatchNormKeptFrozen);                             // the base was called with training: false
        Assert.Null(r.BestEpoch);
        // BatchNormalization stayed in inference mode throughout: moving statistics bit-identical.
        Tensor[] stats = MovingStatistics(b);
        for (int i = 0; i < stats.Length; i++) TensorAssert.Equal(initialStats[i], stats[i]);
        // ... while its gamma, unfrozen as in the Keras guide, trained.
        var gamma = b.FindLayer("stage3_bn").Weights[0];
        Assert.Equal("gamma", gamma.Name);
        Assert.False(TensorAssert.BitEqual(initialBase[b.Weights.ToList().IndexOf(gamma)], gamma.Value.cpu()));
    }

    [Fact]
    public void ABaseNotPinnedToInferenceKeepsItsBatchNormFrozenUnlessAsked()
    {
        TanukiInfo.SetRandomSeed(32);
        var (x, y) = StagedBase.Data(32, seed: 10);
        var (clf, b, _) = StagedBase.Classifier(baseInInferenceMode: false);
        Tensor[] initialStats = MovingStatistics(b);
        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, options: new FineTuneOptions { HeadEpochs = 1, FineTuneEpochs = 1, Verbose = 0 });
        Assert.Equal(new[] { "stem_bn", "stage1_bn", "stage3_bn" }, r.BatchNormKeptFrozen.Select(l => l.Name));
        Assert.Null(r.BestEpoch);                                        // no validation data: nothing to restore by
        Tensor[] stats = MovingStatistics(b);
        for (int i = 0; i < stats.Length; i++) TensorAssert.Equal(initialStats[i], stats[i]);

        var (clf2, b2, _) = StagedBase.Classifier(baseInInferenceMode: false);
        Tensor[] initialStats2 = MovingStatistics(b2);
        FineTuneResult r2 = clf2.FineTune(b2, x, y, batchSize: 16, options: new FineTuneOptions { HeadEpochs = 1, FineTuneEpochs = 1, TrainBatchNorm = true, Verbose = 0 });
        Assert.Empty(r2.BatchNormKeptFrozen);
        Assert.False(TensorAssert.BitEqual(initialStats2[0], MovingStatistics(b2)[0]));   // batch statistics moved them
    }

    [Fact]
    public void UnfreezesFromALayerAndAppliesTheBaseRateMultiplier()
    {
        TanukiInfo.SetRandomSeed(33);
        var (clf, b, head) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(16, seed: 11);
        var output = new StringWriter();
        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, options: new FineTuneOptions
        {
            HeadEpochs = 1, FineTuneEpochs = 1, Unfreeze = "stage3", BaseLearningRateMultiplier = 0.1, FineTuneLearningRate = 1e-4,
            Verbose = 2, Output = output,
        });
        Assert.Equal(new[] { "stage3_dense", "stage3_bn" }, r.UnfrozenLayers.Select(l => l.Name));
        Assert.Equal(4, b.TrainableWeights.Count);
        Assert.Equal(0.1, clf.Optimizer!.GetLearningRateMultiplier(b.FindLayer("stage3_dense").Weights[0]));
        Assert.Equal(1, clf.Optimizer.GetLearningRateMultiplier(head.Weights[0]));
        Assert.Contains("Stage 1/2: training the head, 'base' frozen", output.ToString());
        Assert.Contains("Stage 2/2: fine-tuning; unfroze in 'base': 2 layers (stage3_dense … stage3_bn)", output.ToString());
        Assert.Contains("adam at learning rate 0.0001 (base × 0.1)", output.ToString());

        var (clf2, b2, _) = StagedBase.Classifier();
        FineTuneResult byFraction = clf2.FineTune(b2, x, y, batchSize: 16, options: new FineTuneOptions { HeadEpochs = 1, FineTuneEpochs = 1, Unfreeze = "0.5", Verbose = 0 });
        Assert.Equal(4, byFraction.UnfrozenLayers.Count);
    }

    [Fact]
    public void HeadPatienceEndsStageOneWhenItConverges()
    {
        var (clf, b, _) = StagedBase.Classifier();
        clf.Compile(new SGD(0.0), clf.Loss!, clf.Metrics);              // nothing moves: val_loss is flat from the start
        var (x, y) = StagedBase.Data(16, seed: 12);
        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, validationData: (x, y),
            options: new FineTuneOptions { HeadEpochs = 50, HeadPatience = 1, FineTuneEpochs = 1, Verbose = 0 });
        Assert.Equal(2, r.Stage1.Epochs.Count);
        Assert.Single(r.Stage2.Epochs);
    }

    [Fact]
    public void WhenFineTuningMakesThingsWorseTheHeadsBestWeightsComeBack()
    {
        TanukiInfo.SetRandomSeed(34);
        var (clf, b, _) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(32, seed: 13);
        var (vx, vy) = StagedBase.Data(32, seed: 14);
        var recorder = new Recorder(b);
        var output = new StringWriter();
        // A wild stage 2 (plain SGD at 50) wrecks the validation loss.
        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, validationData: (vx, vy), options: new FineTuneOptions
        {
            HeadEpochs = 3, FineTuneEpochs = 2, FineTuneOptimizer = new SGD(50), Verbose = 1, Output = output,
            Callbacks = [recorder, new TerminateOnNaN()],
        });
        double headBest = r.Stage1["val_loss"].Min();
        Assert.All(r.Stage2["val_loss"], v => Assert.False(v < headBest));   // worse, or NaN
        int best = r.Stage1["val_loss"].ToList().IndexOf(headBest);
        Assert.Equal(best, r.BestEpoch);
        Tensor[] now = clf.GetWeights();
        for (int i = 0; i < now.Length; i++) TensorAssert.Equal(recorder.All[best][i], now[i]);
        Assert.Contains("Fine-tuning never beat the head's best val_loss", output.ToString());
    }

    [Fact]
    public void ClearErrorsBeforeAnyTraining()
    {
        var (clf, b, head) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(16, seed: 15);
        var unknown = Assert.Throws<ArgumentException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { Unfreeze = "stage9", Verbose = 0 }));
        Assert.Contains("stage3_bn", unknown.Message);
        Assert.True(b.Trainable);                                        // failed before stage 1 froze anything
        Assert.Throws<ArgumentException>(() => clf.FineTune(clf, x, y));
        Assert.Throws<ArgumentException>(() => clf.FineTune(StagedBase.Create(), x, y));
        Assert.Throws<ArgumentException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { HeadEpochs = 0, FineTuneEpochs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { Unfreeze = "1.5" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { FineTunePatience = -1 }));
        var inputs = new Input(4);
        var notCompiled = new Model(inputs, new Dense(2).Call(StagedBase.Create().Call(inputs)));
        var e = Assert.Throws<InvalidOperationException>(() => notCompiled.FineTune(notCompiled.Layers[1], x, y));
        Assert.Contains("Compile()", e.Message);
        Assert.True(head.Trainable);
    }
}
