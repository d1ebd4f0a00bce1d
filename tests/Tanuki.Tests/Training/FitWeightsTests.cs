using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Metrics;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Training;

/// <summary>
/// Fit's <c>sampleWeight</c> and <c>classWeight</c>: weights follow their samples through shuffling and the
/// frozen-feature cache, class weights are per-sample weights looked up from the labels (and multiply given sample
/// weights), unweighted metrics and validation stay unweighted, weighted metrics and a split's weights are weighted.
/// </summary>
[Collection(NonParallel.Name)]   // compares runs seeded through libtorch's process-wide generator, which other classes would draw from
public class FitWeightsTests
{
    /// <summary>A loss linear in the predictions, <c>Σ_j yPred_j · yTrue_j</c>: its gradient does not depend on the
    /// weights, so SGD's result does not depend on the order of the samples, only on which weight each sample got.</summary>
    private sealed class LinearLoss() : Loss("linear")
    {
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => (yPred * yTrue).sum([-1]);
    }

    /// <summary>A frozen linear layer that counts the samples it processes (to tell whether the cache ran).</summary>
    private sealed class CountingLinear(int units) : Layer
    {
        public long Samples;

        protected override void BuildCore(long[] inputShape) => AddWeight("kernel", [inputShape[^1], units], Initializers.GlorotUniform);

        protected override Tensor Forward(Tensor inputs, bool training)
        {
            Samples += inputs.shape[0];
            return inputs.matmul(Weights[0].Value);
        }

        public override long[] ComputeOutputShape(long[] inputShape) => [inputShape[0], units];
    }

    private const int N = 12, Batch = 4;
    private const double Lr = 0.1;

    private static (Tensor X, Tensor Y, Tensor W) LinearData()
    {
        var g = new Generator(3);
        return (torch.randn([N, 3], generator: g), torch.randn([N, 2], generator: g), torch.rand([N], generator: g) * 3);
    }

    /// <summary>SGD by hand: every sample's gradient is <c>w_i · h_iᵀ y_i / batch</c>, whatever the order.</summary>
    private static Tensor ExpectedKernel(Tensor k0, Tensor h, Tensor y, Tensor w) =>
        k0 - Lr / Batch * (h * w.unsqueeze(1)).t().matmul(y);

    [Fact]
    public void SampleWeightsFollowTheirSamplesThroughShuffling()
    {
        var (x, y, w) = LinearData();
        TanukiInfo.SetRandomSeed(1);
        var head = new Dense(2, useBias: false);
        var model = new Sequential(new Input(3), head);
        model.Compile(new SGD(Lr), new LinearLoss());
        Tensor k0 = head.GetWeights()[0];
        model.Fit(x, y, batchSize: Batch, epochs: 1, verbose: 0, shuffle: true, sampleWeight: w);
        TensorAssert.Close(ExpectedKernel(k0, x, y, w), head.GetWeights()[0], atol: 1e-5);
    }

    [Fact]
    public void SampleWeightsFollowTheirSamplesThroughTheFrozenFeatureCache()
    {
        var (x, y, w) = LinearData();
        TanukiInfo.SetRandomSeed(2);
        var frozen = new CountingLinear(5);
        var head = new Dense(2, useBias: false);
        var model = new Sequential(new Input(3), frozen, head);
        frozen.Trainable = false;
        model.Execution.FeatureCacheMinimumFrozenParameters = 0;   // this small prefix is worth caching here
        model.Compile(new SGD(Lr), new LinearLoss());
        Tensor k0 = head.GetWeights()[0];
        Tensor h = x.matmul(frozen.Weights[0].Value).detach();
        frozen.Samples = 0;
        model.Fit(x, y, batchSize: Batch, epochs: 2, verbose: 0, shuffle: true, sampleWeight: w);
        Assert.Equal(N, frozen.Samples);   // the cache ran the frozen layer once per sample
        TensorAssert.Close(ExpectedKernel(ExpectedKernel(k0, h, y, w), h, y, w), head.GetWeights()[0], atol: 1e-5);
    }

    private static (Tensor X, Tensor Y) Classes(int seed)
    {
        var g = new Generator((ulong)seed);
        return (torch.randn([40, 5], generator: g), torch.randint(0, 3, [40], generator: g));
    }

    private static (Model Model, Dense Head) Classifier(int seed)
    {
        TanukiInfo.SetRandomSeed(seed);
        var head = new Dense(3);
        var model = new Sequential(new Input(5), new Dense(8, activation: "relu"), head);
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true), [new SparseCategoricalAccuracy()]);
        return (model, head);
    }

    private static readonly Dictionary<int, double> ClassWeight = new() { [0] = 1, [1] = 2, [2] = 0.5 };

    private static Tensor WeightsOf(Tensor labels) => torch.tensor(labels.data<long>().Select(c => (float)ClassWeight[(int)c]).ToArray());

    [Fact]
    public void ClassWeightsAreTheSampleWeightsOfEachSamplesClass()
    {
        var (x, y) = Classes(4);
        var (a, headA) = Classifier(5);
        TanukiInfo.SetRandomSeed(6);
        a.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, classWeight: ClassWeight);
        var (b, headB) = Classifier(5);
        TanukiInfo.SetRandomSeed(6);
        b.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, sampleWeight: WeightsOf(y));
        TensorAssert.Close(headB.GetWeights()[0], headA.GetWeights()[0], atol: 1e-6);

        var (plain, headP) = Classifier(5);
        TanukiInfo.SetRandomSeed(6);
        plain.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        Assert.False(TensorAssert.MaxAbsDiff(headP.GetWeights()[0], headA.GetWeights()[0]) < 1e-4, "class weights changed nothing");
    }

    [Fact]
    public void ClassWeightsMultiplySampleWeights()
    {
        var (x, y) = Classes(7);
        Tensor sw = torch.rand([40], generator: new Generator(8));
        var (a, headA) = Classifier(9);
        TanukiInfo.SetRandomSeed(10);
        a.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, classWeight: ClassWeight, sampleWeight: sw);
        var (b, headB) = Classifier(9);
        TanukiInfo.SetRandomSeed(10);
        b.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, sampleWeight: sw * WeightsOf(y));
        TensorAssert.Close(headB.GetWeights()[0], headA.GetWeights()[0], atol: 1e-6);
    }

    [Fact]
    public void ADatasetTakesClassWeightsAsTheTensorOverloadDoes()
    {
        var (x, y) = Classes(11);
        var (a, headA) = Classifier(12);
        a.Fit(Tanuki.Data.Dataset.FromTensors(x, y).Batch(8), epochs: 2, verbose: 0, classWeight: ClassWeight);
        var (b, headB) = Classifier(12);
        b.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false, classWeight: ClassWeight);
        TensorAssert.Close(headB.GetWeights()[0], headA.GetWeights()[0], atol: 1e-6);
    }

    [Fact]
    public void MetricsAreUnweightedUnlessCompiledAsWeightedMetrics()
    {
        var (x, y) = Classes(13);
        Tensor w = torch.rand([40], generator: new Generator(14)) * 2;
        var (model, _) = Classifier(15);
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true),
                      metrics: [new SparseCategoricalAccuracy()], weightedMetrics: [new SparseCategoricalAccuracy()]);
        var logs = model.Evaluate(x, y, verbose: 0, sampleWeight: w);

        Tensor logits = model.Predict(x, verbose: 0);
        Tensor correct = logits.argmax(-1).eq(y).to_type(ScalarType.Float64);
        Tensor perSample = new SparseCategoricalCrossentropy(fromLogits: true, reduction: null).Call(y, logits).to_type(ScalarType.Float64);
        Tensor wd = w.to_type(ScalarType.Float64);
        Assert.Equal(correct.mean().item<double>(), logs["sparse_categorical_accuracy"], 6);
        Assert.Equal((correct * wd).sum().item<double>() / wd.sum().item<double>(), logs["weighted_sparse_categorical_accuracy"], 6);
        Assert.Equal((perSample * wd).sum().item<double>() / 40, logs["loss"], 5);
    }

    [Fact]
    public void ValidationDataIsUnweightedAndASplitKeepsItsSampleWeights()
    {
        var (x, y) = Classes(16);
        var (vx, vy) = Classes(17);
        var (model, _) = Classifier(18);
        History h = model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, validationData: (vx, vy), classWeight: ClassWeight);
        Assert.Equal(model.Evaluate(vx, vy, verbose: 0)["loss"], h["val_loss"][0], 5);

        Tensor w = torch.rand([40], generator: new Generator(19)) * 2;
        History hs = model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, validationSplit: 0.25, sampleWeight: w);
        var weighted = model.Evaluate(x[30..], y[30..], verbose: 0, sampleWeight: w[30..]);
        Assert.Equal(weighted["loss"], hs["val_loss"][0], 5);
        Assert.NotEqual(model.Evaluate(x[30..], y[30..], verbose: 0)["loss"], hs["val_loss"][0], 3);
    }

    [Fact]
    public void BadWeightsAreClearErrors()
    {
        var (x, y) = Classes(20);
        var (model, _) = Classifier(21);
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: 0, sampleWeight: torch.ones(39)));
        Assert.Contains("sampleWeight must have one entry per sample", e.Message);
        Assert.Contains("Received: sampleWeight.shape=(39,)", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: 0, sampleWeight: torch.full(40, double.NaN)));
        Assert.Contains("NaN", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: 0, classWeight: new Dictionary<int, double> { [1] = -1 }));
        Assert.Contains("Received: classWeight[1]=-1", e.Message);

        var seg = new Sequential(new Input(4, 4, 2), new Dense(2));
        seg.Compile(new SGD(), new SparseCategoricalCrossentropy(fromLogits: true));
        e = Assert.Throws<ArgumentException>(() => seg.Fit(torch.randn(6, 4, 4, 2), torch.zeros([6, 4, 4], ScalarType.Int64), verbose: 0, classWeight: ClassWeight));
        Assert.Contains("classWeight needs one class per sample", e.Message);
    }

    [Fact]
    public void PerPixelSampleWeightsWeighPerPixelLosses()
    {
        // A (N, H, W) weight per pixel for (N, H, W) labels and (N, H, W, C) predictions; zero-weight pixels do not train.
        TanukiInfo.SetRandomSeed(22);
        var head = new Dense(2, useBias: false);
        var seg = new Sequential(new Input(4, 4, 3), head);
        seg.Compile(new SGD(0.5), new SparseCategoricalCrossentropy(fromLogits: true));
        Tensor x = torch.randn(2, 4, 4, 3), y = torch.randint(0, 2, [2, 4, 4]);
        Tensor before = head.GetWeights()[0];
        seg.Fit(x, y, batchSize: 2, verbose: 0, sampleWeight: torch.zeros(2, 4, 4));
        TensorAssert.Equal(before, head.GetWeights()[0]);
    }
}
