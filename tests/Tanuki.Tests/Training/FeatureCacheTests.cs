using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Training;

/// <summary>
/// The frozen-feature cache: used when it is exact, exact when used (head weights equal with and without it),
/// off when a random layer precedes the frozen part, dropped when the frozen part changes.
/// </summary>
[Collection(NonParallel.Name)]   // reads Console.Out
public class FeatureCacheTests
{
    /// <summary>A frozen "pretrained" layer that counts how many samples it has processed.</summary>
    private sealed class CountingDense : Layer
    {
        private readonly int _units;
        public long Samples;

        public CountingDense(int units) : base() => _units = units;

        protected override void BuildCore(long[] inputShape) => AddWeight("kernel", [inputShape[^1], _units], Initializers.GlorotUniform);

        protected override Tensor Forward(Tensor inputs, bool training)
        {
            Samples += inputs.shape[0];
            return inputs.matmul(Weights[0].Value);
        }

        public override long[] ComputeOutputShape(long[] inputShape) => [inputShape[0], _units];
    }

    private static (Model Model, CountingDense Counter, Sequential Base, Dense Head) Build(bool randomFirst = false, int seed = 1)
    {
        TanukiInfo.SetRandomSeed(seed);
        var counter = new CountingDense(16);
        var baseModel = new Sequential(new Input(6), counter, new BatchNormalization(), new ReLU(), new Dense(8, activation: "relu"));
        baseModel.Trainable = false;
        var inputs = new Input(6);
        SymbolicTensor x = inputs;
        if (randomFirst) x = new Dropout(0.1).Call(x);
        x = baseModel.Call(x, training: false);
        x = new Dropout(0.3).Call(x);
        var head = new Dense(3);
        var model = new Model(inputs, head.Call(x));
        model.Execution.FeatureCacheMinimumFrozenParameters = 0;   // these small prefixes are worth caching here
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        return (model, counter, baseModel, head);
    }

    private static string CaptureConsole(Action a)
    {
        var w = new StringWriter();
        TextWriter old = Console.Out;
        Console.SetOut(w);
        try { a(); }
        finally { Console.SetOut(old); }
        return w.ToString();
    }

    [Fact]
    public void TrainingOnCachedFeaturesGivesTheSameHeadAsTrainingWithout()
    {
        var (x, y) = SmallModel.Data(100, 2);
        var (vx, vy) = SmallModel.Data(30, 3);

        var (cached, counter, _, head) = Build();
        TanukiInfo.SetRandomSeed(42);
        History hc = cached.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, validationData: (vx, vy));
        Assert.Equal(100 + 30, counter.Samples);                  // the base ran once per sample, no more

        var (plain, counter2, _, head2) = Build();
        plain.UseFeatureCache = false;
        TanukiInfo.SetRandomSeed(42);
        History hp = plain.Fit(x, y, batchSize: 16, epochs: 4, verbose: 0, validationData: (vx, vy));
        Assert.Equal(4 * (100 + 30), counter2.Samples);           // every epoch, training and validation

        TensorAssert.Close(head2.Kernel!.Value, head.Kernel!.Value, atol: 1e-5);
        TensorAssert.Close(head2.Bias!.Value, head.Bias!.Value, atol: 1e-5);
        for (int e = 0; e < 4; e++)
        {
            Assert.Equal(hp["loss"][e], hc["loss"][e], 4);
            Assert.Equal(hp["val_accuracy"][e], hc["val_accuracy"][e], 6);
        }
    }

    [Theory]
    [InlineData(32, new long[] { 3, 96, 96 }, 128)]     // small images: passes of 128
    [InlineData(32, new long[] { 3, 224, 224 }, 32)]    // 128·3·96·96 / (3·224·224) = 23 < the batch: the batch
    [InlineData(16, new long[] { 3, 160, 160 }, 46)]
    [InlineData(256, new long[] { 3, 96, 96 }, 256)]    // never below the training batch
    [InlineData(8, new long[] { 6 }, 128)]
    public void ThePrefixRunsOverInMemoryDataInPassesOfBoundedSize(long batch, long[] sample, long expected) =>
        Assert.Equal(expected, FeatureCache.PassBatch(batch, sample));

    [Fact]
    public void ItSaysWhatItCachedAtVerboseOne()
    {
        var (model, _, _, _) = Build();
        var (x, y) = SmallModel.Data(40, 4);
        string output = CaptureConsole(() => model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 1));
        Assert.Contains("Frozen-feature cache:", output);
        Assert.Contains("ran once per sample (40 training samples", output);
    }

    [Fact]
    public void ARandomLayerBeforeTheFrozenPartTurnsItOffAndSaysSo()
    {
        var (model, counter, _, _) = Build(randomFirst: true);
        var (x, y) = SmallModel.Data(40, 5);
        string output = CaptureConsole(() => model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 1));
        Assert.Equal(80, counter.Samples);
        Assert.Contains("Frozen-feature cache off: the random layer", output);
        Assert.Contains("comes before the frozen layers", output);
    }

    [Fact]
    public void UnfreezingTheBaseFromACallbackDropsTheCacheAndTheBaseStartsTraining()
    {
        var (model, counter, baseModel, _) = Build();
        var (x, y) = SmallModel.Data(48, 6);
        Tensor before = counter.GetWeights()[0];
        string output = CaptureConsole(() =>
            model.Fit(x, y, batchSize: 16, epochs: 3, verbose: 1, callbacks: [new UnfreezeAt(baseModel, epoch: 2)]));
        Assert.Equal(48 + 48, counter.Samples);                   // cached for epochs 1–2 (one pass), then run in epoch 3
        Assert.Contains("cache off from here: the frozen part changed", output);
        Assert.False(TensorAssert.BitEqual(before, counter.GetWeights()[0]), "the unfrozen base did not train");
    }

    private sealed class UnfreezeAt(Layer layer, int epoch) : Callback
    {
        public override void OnEpochBegin(int e)
        {
            if (e == epoch) layer.Trainable = true;
        }
    }

    [Fact]
    public void FeaturesBeyondTheMemoryBudgetGoToATemporaryFileAndStayExact()
    {
        var (x, y) = SmallModel.Data(64, 7);
        var (spilled, _, _, head) = Build();
        spilled.FeatureCacheMemoryBytes = 1024;                  // 64 samples × 8 floats × 4 B = 2 KiB
        TanukiInfo.SetRandomSeed(9);
        string output = CaptureConsole(() => spilled.Fit(x, y, batchSize: 16, epochs: 2, verbose: 1));
        Assert.Contains("in a temporary file", output);
        var (plain, _, _, head2) = Build();
        plain.UseFeatureCache = false;
        TanukiInfo.SetRandomSeed(9);
        plain.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0);
        TensorAssert.Close(head2.Kernel!.Value, head.Kernel!.Value, atol: 1e-5);
    }

    [Fact]
    public void ASequentialWithFrozenLayersFirstIsCachedToo()
    {
        TanukiInfo.SetRandomSeed(11);
        var counter = new CountingDense(12);
        var model = new Sequential(new Input(6), counter, new ReLU(), new Dense(3));
        counter.Trainable = false;
        model.Execution.FeatureCacheMinimumFrozenParameters = 0;
        model.Compile(new SGD(0.1), new SparseCategoricalCrossentropy(fromLogits: true));
        var (x, y) = SmallModel.Data(32, 12);
        model.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0);
        Assert.Equal(32, counter.Samples);
    }

    [Fact]
    public void AShuffledDatasetIsCachedAndAMappedOneIsNot()
    {
        var (x, y) = SmallModel.Data(48, 13);
        var (model, counter, _, _) = Build();
        model.Fit(Tanuki.Data.Dataset.FromTensors(x, y).Shuffle(48, seed: 1).Batch(16), epochs: 3, verbose: 0);
        Assert.Equal(48, counter.Samples);

        var (mapped, counter2, _, _) = Build();
        var data = Tanuki.Data.Dataset.FromTensors(x, y).Map((a, b) => (a * 1.0f, b)).Batch(16);
        string output = CaptureConsole(() => mapped.Fit(data, epochs: 2, verbose: 1));
        Assert.Equal(96, counter2.Samples);
        Assert.Contains("goes through a Map", output);
    }
}
