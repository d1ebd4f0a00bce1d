using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.FineTuning;

public class FineTuneTests
{
    /// <summary>Copies of the base's and the model's weights when each Fit begins and at each epoch end.</summary>
    private sealed class Recorder(Layer watched) : Callback
    {
        public List<Tensor[]> BaseAtEpochEnd { get; } = new();
        public List<Tensor[]> ModelAtTrainBegin { get; } = new();
        public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs) => ModelAtTrainBegin.Add(Model!.GetWeights());
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => BaseAtEpochEnd.Add(StagedBase.Values(watched.Weights));
    }

    private static Tensor[] MovingStatistics(Model b) =>
        StagedBase.Values(b.LeafLayers().OfType<BatchNormalization>().SelectMany(bn => new[] { bn.MovingMean!, bn.MovingVariance! }));

    [Fact]
    public void FitsALogisticHeadThenFineTunesTheBase()
    {
        TanukiInfo.SetRandomSeed(31);
        var (clf, b, head) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(48, seed: 8);
        var (vx, vy) = StagedBase.Data(24, seed: 9);
        Optimizer stage1Optimizer = clf.Optimizer!;
        Tensor[] initialBase = StagedBase.Values(b.Weights);
        Tensor[] initialStats = MovingStatistics(b);
        var recorder = new Recorder(b);

        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, validationData: (vx, vy), options: new FineTuneOptions
        {
            FineTuneEpochs = 2, FineTuneMinimumValidation = 10, KeepFineTuning = "always", Verbose = 0, Callbacks = [recorder],
        });

        // Stage 1 fitted the Dense head on the frozen features (no epochs), its penalty chosen among 10 by cross-validation.
        Assert.Empty(r.Stage1.Epochs);
        Assert.Equal(HeadSearchPenalties, r.HeadSearch.Count);            // not images: no mirror-image candidates
        Assert.Equal(r.HeadSearch.Min(c => c.LogLoss), r.HeadSearch[0].LogLoss);
        Assert.Equal(new[] { "class weights", "frozen features", "head", "fine-tuning" }, r.Choices.Select(c => c.Name));
        // When stage 2 began the base was as pretrained, and the head held the logistic regression (not the initial weights).
        Tensor[] atStage2 = recorder.ModelAtTrainBegin.Single();
        var baseIndices = clf.Weights.Select((v, i) => (v, i)).Where(p => b.Weights.Contains(p.v)).Select(p => p.i).ToList();
        for (int k = 0; k < baseIndices.Count; k++) TensorAssert.Equal(initialBase[k], atStage2[baseIndices[k]]);
        // Stage 2 trained the base with a fresh Adam at 1e-4 decaying on a cosine (1e-4, then 5e-5).
        Assert.Equal(2, r.Stage2.Epochs.Count);
        Assert.False(TensorAssert.BitEqual(initialBase[0], recorder.BaseAtEpochEnd[^1][0]));
        Assert.NotSame(stage1Optimizer, clf.Optimizer);
        Assert.Equal(new[] { 1e-4, 5e-5 }, r.Stage2["learning_rate"].Select(v => Math.Round(v, 12)));
        Assert.Equal(8, r.UnfrozenLayers.Count);
        Assert.Empty(r.BatchNormKeptFrozen);                             // the base was called with training: false
        Assert.True(r.FineTuningKept);
        Assert.Equal(24, r.ValidationSamples);
        Assert.Equal(24, r.ValidationPredictions.Count);
        // BatchNormalization stayed in inference mode throughout: moving statistics bit-identical.
        Tensor[] stats = MovingStatistics(b);
        for (int i = 0; i < stats.Length; i++) TensorAssert.Equal(initialStats[i], stats[i]);
    }

    private static readonly int HeadSearchPenalties = Tanuki.FineTuning.HeadSearch.Penalties.Length;

    [Fact]
    public void TheLogisticHeadIsTheCrossValidatedRegressionOnAllTheTrainingFeatures()
    {
        TanukiInfo.SetRandomSeed(35);
        var (clf, b, head) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(40, seed: 16);
        FineTuneResult r = clf.FineTune(b, x, y, options: new FineTuneOptions { FineTuneEpochs = 0, BalanceClasses = false, Verbose = 0 });

        // The same regression, refitted here on the frozen base's outputs, gives the head's logits.
        using var scope = NewDisposeScope();
        Tensor features;
        using (no_grad()) features = b.Call(x, training: false);
        using var lr = new Tanuki.FineTuning.LogisticRegression(r.HeadSearch[0].L2).Fit(features, y, 3);
        Tensor expected = lr.DecisionFunction(features);
        Tensor actual = clf.Predict(x);
        double gap = (expected - actual).abs().max().item<float>();
        Assert.True(gap < 0.02, $"logits differ by up to {gap}");                   // the same optimum, to the solvers' tolerance
        Assert.Equal(expected.argmax(1).data<long>().ToArray(), actual.argmax(1).data<long>().ToArray());
        Assert.False(b.Trainable);
        Assert.Equal(TestTimeAugmentation.None, clf.TestTimeAugmentation);
        Assert.Equal(40, r.ValidationPredictions.Count);                // out-of-fold predictions of every training sample
        Assert.Contains("out-of-fold", r.ValidationSource);
    }

    [Fact]
    public void ABaseNotPinnedToInferenceKeepsItsBatchNormFrozenUnlessAsked()
    {
        TanukiInfo.SetRandomSeed(32);
        var (x, y) = StagedBase.Data(32, seed: 10);
        var (vx, vy) = StagedBase.Data(16, seed: 17);
        var o = new FineTuneOptions { FineTuneEpochs = 1, FineTuneMinimumValidation = 10, KeepFineTuning = "always", Verbose = 0 };
        var (clf, b, _) = StagedBase.Classifier(baseInInferenceMode: false);
        Tensor[] initialStats = MovingStatistics(b);
        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, validationData: (vx, vy), options: o);
        Assert.Equal(new[] { "stem_bn", "stage1_bn", "stage3_bn" }, r.BatchNormKeptFrozen.Select(l => l.Name));
        Tensor[] stats = MovingStatistics(b);
        for (int i = 0; i < stats.Length; i++) TensorAssert.Equal(initialStats[i], stats[i]);

        var (clf2, b2, _) = StagedBase.Classifier(baseInInferenceMode: false);
        Tensor[] initialStats2 = MovingStatistics(b2);
        FineTuneResult r2 = clf2.FineTune(b2, x, y, batchSize: 16, validationData: (vx, vy), options: new FineTuneOptions
        {
            FineTuneEpochs = 1, FineTuneMinimumValidation = 10, KeepFineTuning = "always", TrainBatchNorm = true, Verbose = 0,
        });
        Assert.Empty(r2.BatchNormKeptFrozen);
        Assert.False(TensorAssert.BitEqual(initialStats2[0], MovingStatistics(b2)[0]));   // batch statistics moved them
    }

    [Fact]
    public void UnfreezesFromALayerAndAppliesTheBaseRateMultiplier()
    {
        TanukiInfo.SetRandomSeed(33);
        var (clf, b, head) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(16, seed: 11);
        var (vx, vy) = StagedBase.Data(12, seed: 18);
        var output = new StringWriter();
        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, validationData: (vx, vy), options: new FineTuneOptions
        {
            FineTuneEpochs = 1, Unfreeze = "stage3", BaseLearningRateMultiplier = 0.1, FineTuneLearningRate = 1e-4,
            FineTuneMinimumValidation = 10, KeepFineTuning = "always", Verbose = 2, Output = output,
        });
        Assert.Equal(new[] { "stage3_dense", "stage3_bn" }, r.UnfrozenLayers.Select(l => l.Name));
        Assert.Equal(4, b.TrainableWeights.Count);
        Assert.Equal(0.1, clf.Optimizer!.GetLearningRateMultiplier(b.FindLayer("stage3_dense").Weights[0]));
        Assert.Equal(1, clf.Optimizer.GetLearningRateMultiplier(head.Weights[0]));
        Assert.Contains("head: logistic regression, L2 = ", output.ToString());
        Assert.Contains("Stage 2/2: fine-tuning; unfroze in 'base': 2 layers (stage3_dense … stage3_bn)", output.ToString());
        Assert.Contains("adam at learning rate 0.0001 (base × 0.1) on a cosine", output.ToString());

        var (clf2, b2, _) = StagedBase.Classifier();
        FineTuneResult byFraction = clf2.FineTune(b2, x, y, batchSize: 16, validationData: (vx, vy), options: new FineTuneOptions
        {
            FineTuneEpochs = 1, Unfreeze = "0.5", FineTuneMinimumValidation = 10, KeepFineTuning = "always", Verbose = 0,
        });
        Assert.Equal(4, byFraction.UnfrozenLayers.Count);
    }

    [Fact]
    public void AHeadTrainedWithFitStopsWhenItConverges()
    {
        var (clf, b, _) = StagedBase.Classifier();
        clf.Compile(new SGD(0.0), clf.Loss!, clf.Metrics);              // nothing moves: val_loss is flat from the start
        var (x, y) = StagedBase.Data(16, seed: 12);
        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, validationData: (x, y), options: new FineTuneOptions
        {
            Head = "fit", HeadEpochs = 50, HeadPatience = 1, FineTuneEpochs = 1, FineTuneMinimumValidation = 10, KeepFineTuning = "always", Verbose = 0,
        });
        Assert.Equal(2, r.Stage1.Epochs.Count);
        Assert.Single(r.Stage2.Epochs);
        Assert.Empty(r.HeadSearch);
        Assert.Equal("trained with Fit", r.Choices.Single(c => c.Name == "head").Value);
    }

    [Fact]
    public void AHeadThatIsNotOneDenseLayerTrainsWithFit()
    {
        TanukiInfo.SetRandomSeed(36);
        Model b = StagedBase.Create();
        var inputs = new Input(4);
        SymbolicTensor h = new Dense(6, activation: "relu", name: "hidden").Call(b.Call(inputs, training: false));
        var clf = new Model(inputs, new Dense(3, name: "head").Call(h));
        clf.Compile(new Adam(1e-2), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        var (x, y) = StagedBase.Data(32, seed: 19);
        FineTuneResult r = clf.FineTune(b, x, y, options: new FineTuneOptions { HeadEpochs = 3, FineTuneEpochs = 0, Verbose = 0 });
        Assert.Equal(3, r.Stage1.Epochs.Count);
        Assert.Contains("not a single Dense layer", r.Choices.Single(c => c.Name == "head").Reason);
        Assert.Throws<ArgumentException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { Head = "logistic", FineTuneEpochs = 0, Verbose = 0 }));
    }

    [Fact]
    public void WhenFineTuningMakesThingsWorseTheFrozenBaseModelComesBack()
    {
        TanukiInfo.SetRandomSeed(34);
        var (clf, b, _) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(32, seed: 13);
        var (vx, vy) = StagedBase.Data(40, seed: 14);
        var recorder = new Recorder(b);
        var output = new StringWriter();
        // A wild stage 2 (plain SGD at 50) wrecks the model, to NaN or to nonsense.
        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, validationData: (vx, vy), options: new FineTuneOptions
        {
            FineTuneEpochs = 2, FineTuneOptimizer = new SGD(50), FineTuneMinimumValidation = 10, Verbose = 1, Output = output,
            Callbacks = [recorder],
        });
        Assert.False(r.FineTuningKept);
        Assert.Equal("reverted", r.Choices.Single(c => c.Name == "fine-tuning").Value);
        Assert.True(r.FrozenValidationAccuracy > 0.8, $"frozen {r.FrozenValidationAccuracy}");
        Tensor[] now = clf.GetWeights();
        Tensor[] before = recorder.ModelAtTrainBegin.Single();
        for (int i = 0; i < now.Length; i++) TensorAssert.Equal(before[i], now[i]);   // bit for bit the model stage 2 started from
        Assert.False(b.Trainable);
        Assert.All(clf.Weights, v => Assert.True(v.Value.isfinite().all().item<bool>()));
        Assert.Contains("fine-tuning: reverted", output.ToString());
    }

    [Fact]
    public void FineTuningThatClearlyHelpsIsKept()
    {
        // A base that throws information away when frozen (a random 2-unit ReLU bottleneck) and that training repairs.
        TanukiInfo.SetRandomSeed(37);
        var bIn = new Input(4);
        var b = new Model(bIn, new Dense(2, activation: "relu", name: "bottleneck").Call(new Dense(8, name: "mix").Call(bIn)), name: "base");
        var inputs = new Input(4);
        var clf = new Model(inputs, new Dense(3, name: "head").Call(b.Call(inputs, training: false)));
        clf.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        var (x, y) = StagedBase.Data(240, seed: 20);
        FineTuneResult r = clf.FineTune(b, x, y, batchSize: 16, options: new FineTuneOptions
        {
            FineTuneEpochs = 20, FineTuneLearningRate = 1e-2, Schedule = "constant", Verbose = 0,
        });
        Assert.Equal(48, r.ValidationSamples);                            // 20% of 240 held out, stratified
        Assert.True(r.FineTuningKept, string.Join("; ", r.Choices));
        Assert.True(r.FineTunedValidationAccuracy > r.FrozenValidationAccuracy + 0.05, string.Join("; ", r.Choices));
        Assert.Equal("on all 240 images", r.Choices.Single(c => c.Name == "refit").Value);   // then again on every image
        Assert.True(b.Trainable);
    }

    [Fact]
    public void TooFewImagesToJudgeFineTuningSkipIt()
    {
        var (clf, b, _) = StagedBase.Classifier();
        var (x, y) = StagedBase.Data(40, seed: 21);
        FineTuneResult r = clf.FineTune(b, x, y, options: new FineTuneOptions { Verbose = 0 });   // 20% of 40 = 8 < 30
        Assert.Empty(r.Stage2.Epochs);
        FineTuneChoice skip = r.Choices.Single(c => c.Name == "fine-tuning");
        Assert.Equal("skipped", skip.Value);
        Assert.Contains("leaves 8 to judge it, fewer than 30", skip.Reason);
        Assert.False(b.Trainable);
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
        Assert.Throws<ArgumentException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { Head = "fit", HeadEpochs = 0, FineTuneEpochs = 0 }));
        Assert.Throws<ArgumentException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { Head = "svm" }));
        Assert.Throws<ArgumentException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { KeepFineTuning = "sometimes" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { Unfreeze = "1.5" }));
        Assert.Throws<ArgumentOutOfRangeException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { FineTunePatience = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { FineTuneValidationSplit = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => clf.FineTune(b, x, y, options: new FineTuneOptions { CrossValidationFolds = 1 }));
        Assert.Contains("class indices in [0, 3)", Assert.Throws<ArgumentException>(() => clf.FineTune(b, x, y + 3)).Message);
        var inputs = new Input(4);
        var notCompiled = new Model(inputs, new Dense(2).Call(StagedBase.Create().Call(inputs)));
        var e = Assert.Throws<InvalidOperationException>(() => notCompiled.FineTune(notCompiled.Layers[1], x, y));
        Assert.Contains("Compile()", e.Message);
        Assert.True(head.Trainable);
    }
}
