using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Metrics;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Training;

public class FitTests
{
    private static (Tensor X, Tensor Y) Blobs(int n, int seed)
    {
        // two Gaussian blobs in 4-D: class 1 is shifted by +2 on every axis
        var g = new Generator((ulong)seed);
        Tensor y = torch.randint(0, 2, new long[] { n }, generator: g);
        Tensor x = torch.randn(new long[] { n, 4 }, generator: g) + y.unsqueeze(1).to_type(ScalarType.Float32) * 2;
        return (x, y);
    }

    private static Sequential SmallClassifier() =>
        new(new Input(4), new Dense(8, activation: "relu"), new Dense(2));

    [Fact]
    public void FitLearnsSeparableBlobsAndHistoryHasOneValuePerEpochForEveryKey()
    {
        TanukiInfo.SetRandomSeed(5);
        var (x, y) = Blobs(256, 1);
        var (vx, vy) = Blobs(64, 2);
        var model = SmallClassifier();
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        History h = model.Fit(x, y, batchSize: 32, epochs: 5, verbose: 0, validationData: (vx, vy));
        Assert.Equal(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, h.Metrics.Keys);
        Assert.All(h.Metrics.Values, v => Assert.Equal(5, v.Count));
        Assert.True(h["loss"][4] < h["loss"][0], "the loss did not go down");
        // Blobs 4 apart (Bayes accuracy ~0.98); chance is 0.5. The initial weights and the shuffling come from the global
        // generator, which tests running beside this one draw from too, so 5 epochs end between ~0.89 and 0.98.
        Assert.True(h["val_accuracy"][4] > 0.8, $"val_accuracy {h["val_accuracy"][4]}");
        var eval = model.Evaluate(vx, vy, verbose: 0);
        Assert.Equal(h["val_loss"][4], eval["loss"], 5);          // same data, same weights
        Assert.Equal(h["val_accuracy"][4], eval["accuracy"], 5);
        Tensor p = model.Predict(vx, batchSize: 10);
        Assert.Equal(new long[] { 64, 2 }, p.shape);
        double acc = p.argmax(-1).eq(vy).to_type(ScalarType.Float64).mean().item<double>();
        Assert.Equal(eval["accuracy"], acc, 5);
    }

    [Fact]
    public void ValidationSplitTakesTheLastSamples()
    {
        var (x, y) = Blobs(100, 3);
        var model = SmallClassifier();
        model.Compile("sgd", new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        var seen = new BatchSizes();
        model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0, validationSplit: 0.2, callbacks: [seen]);
        Assert.Equal(80, seen.Samples);                         // 80 train, 20 held out
        Assert.Equal(5, seen.Batches);                          // ceil(80 / 16)
    }

    private sealed class BatchSizes : Callback
    {
        public int Batches;
        public long Samples => Batches == 0 ? 0 : (long)Params["steps"] * 16;
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) => Batches++;
    }

    [Fact]
    public void ArraysAreAcceptedLikeNumPyArrays()
    {
        var model = new Sequential(new Input(2), new Dense(1));
        model.Compile(new SGD(0.2), "mse");
        float[,] x = { { 0, 1 }, { 1, 0 }, { 1, 1 }, { 0, 0 } };
        float[,] y = { { 1 }, { 1 }, { 2 }, { 0 } };
        History h = model.Fit(x, y, batchSize: 4, epochs: 300, verbose: 0, shuffle: false);
        Assert.True(h["loss"][^1] < 1e-3, $"loss {h["loss"][^1]}");   // y = x1 + x2 is linear
        Tensor p = model.Predict(new float[,] { { 2, 3 } });
        Assert.Equal(5, p.item<float>(), 1);
    }

    [Fact]
    public void FitBeforeCompileSaysWhatToDo()
    {
        var e = Assert.Throws<InvalidOperationException>(() => SmallClassifier().Fit(torch.zeros(4, 4), torch.zeros(4), verbose: 0));
        Assert.Contains("Compile()", e.Message);
    }

    [Fact]
    public void XAndYOfDifferentLengthsAreRejected()
    {
        var model = SmallClassifier();
        model.Compile("adam", "sparse_categorical_crossentropy");
        var e = Assert.Throws<ArgumentException>(() => model.Fit(torch.zeros(10, 4), torch.zeros(9), verbose: 0));
        Assert.Contains("10", e.Message);
        Assert.Contains("9", e.Message);
    }

    [Fact]
    public void ANaNLossStopsTrainingNamingTheEpochAndStep()
    {
        var model = new Sequential(new Input(2), new Dense(1));
        model.Compile("sgd", "mse");
        Tensor x = torch.ones(64, 2);
        x[40, 0] = torch.tensor(float.NaN);                     // sample 40 is in the second batch of 32
        Tensor[] before = model.GetWeights();
        var e = Assert.Throws<TrainingException>(() => model.Fit(x, torch.ones(64, 1), batchSize: 32, epochs: 3, verbose: 0, shuffle: false));
        Assert.Equal(1, e.Epoch);
        Assert.Equal(2, e.Step);
        Assert.Contains("epoch 1, step 2", e.Message);
        Assert.Contains("learning rate", e.Message);
        Tensor[] after = model.GetWeights();
        Assert.False(after.Any(w => w.isnan().any().item<bool>()), "a NaN update was applied");
        Assert.False(TensorAssert.BitEqual(before[0], after[0]));  // the first step did train
    }

    /// <summary>
    /// The trap PyTorch users hit: putting the whole model in train mode every epoch undoes the inference mode of a
    /// frozen BN. Here the base is called with training: false and stays trainable; over several epochs its weights
    /// train but its BN statistics never move.
    /// </summary>
    [Fact]
    public void ABaseCalledWithTrainingFalseKeepsItsBatchNormStatisticsThroughTheOuterFit()
    {
        TanukiInfo.SetRandomSeed(6);
        var bn = new BatchNormalization();
        var baseModel = new Sequential(new Input(4), new Dense(6), bn, new ReLU());
        var inputs = new Input(4);
        var features = baseModel.Call(inputs, training: false);
        var outputs = new Dense(2).Call(features);
        var model = new Model(inputs, outputs);
        Assert.True(baseModel.Trainable);
        // give the statistics non-default values, so a training-mode call would visibly move them
        bn.SetWeights([torch.ones(6), torch.zeros(6), torch.full(6, 0.5f), torch.full(6, 2f)]);
        Tensor[] stats = [bn.MovingMean!.Value.clone(), bn.MovingVariance!.Value.clone()];
        Tensor kernel = baseModel.Layers[0].GetWeights()[0];
        var (x, y) = Blobs(128, 7);
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true));
        model.Fit(x, y, epochs: 3, verbose: 0);
        TensorAssert.Equal(stats[0], bn.MovingMean!.Value);
        TensorAssert.Equal(stats[1], bn.MovingVariance!.Value);
        Assert.False(TensorAssert.BitEqual(kernel, baseModel.Layers[0].GetWeights()[0]), "the base did not train");
        // the same base called without the fixed flag does update its statistics in Fit
        var inputs2 = new Input(4);
        var model2 = new Model(inputs2, new Dense(2).Call(baseModel.Call(inputs2)));
        model2.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true));
        model2.Fit(x, y, epochs: 1, verbose: 0);
        Assert.False(TensorAssert.BitEqual(stats[0], bn.MovingMean!.Value));
    }

    [Fact]
    public void UnfreezingTakesEffectAtTheNextFitWithoutRecompiling()
    {
        TanukiInfo.SetRandomSeed(8);
        var first = new Dense(4, activation: "relu");
        var model = new Sequential(new Input(4), first, new Dense(2));
        first.Trainable = false;
        var opt = new Adam(0.01);
        model.Compile(opt, new SparseCategoricalCrossentropy(fromLogits: true));
        var (x, y) = Blobs(64, 9);
        model.Fit(x, y, epochs: 1, verbose: 0);
        long headState = opt.CountParams();
        Tensor frozen = first.GetWeights()[0];
        TensorAssert.Equal(frozen, first.GetWeights()[0]);
        first.Trainable = true;
        model.Fit(x, y, epochs: 1, verbose: 0);
        Assert.False(TensorAssert.BitEqual(frozen, first.GetWeights()[0]));
        Assert.Equal(headState + (4 * 4 + 4) * 2, opt.CountParams());   // m and v added for the unfrozen layer's 20 weights
        model.Compile(opt, new SparseCategoricalCrossentropy(fromLogits: true));   // compiling again is harmless
        Assert.Equal(headState + 40, opt.CountParams());
    }
}

[Collection(NonParallel.Name)]   // redirects Console.Out
public class FitProgressTests
{
    [Fact]
    public void ProgressIsPrintedKerasStyle()
    {
        var model = new Sequential(new Input(2), new Dense(1));
        model.Compile("sgd", "mse");
        var writer = new StringWriter();
        TextWriter old = Console.Out;
        Console.SetOut(writer);
        try { model.Fit(torch.ones(64, 2), torch.ones(64, 1), batchSize: 32, epochs: 2, verbose: 1); }
        finally { Console.SetOut(old); }
        string[] lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Epoch 1/2", lines[0].Trim());
        Assert.Matches(@"^2/2 \[==============================\] - \d+s \d+(ms|us|s)/step - loss: \d+\.\d{4}$", lines[1].Trim());
        Assert.Equal("Epoch 2/2", lines[2].Trim());
        Assert.Equal(4, lines.Length);
    }
}
