using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Metrics;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// Issue 16, item 1 in the library: training that diverges must stop with a TrainingException naming the epoch and step,
/// never end with NaN weights; a model whose outputs are NaN must not score an accuracy (argmax of NaN logits is class
/// 0, so a NaN model scored the share of class 0: 1.0 on one set, 0.71 on another); inputs of other dtypes are
/// converted, not a native error.
/// </summary>
[Collection(NonParallel.Name)]   // reads Console.Error
public class NumericsCases
{
    private static Model Classifier(int inputs = 4, int classes = 3)
    {
        var input = new Input(inputs);
        return new Model(input, new Dense(classes).Call(new Dense(8, activation: "relu").Call(input)));
    }

    private static (Tensor X, Tensor Y) Data(int n = 16, int inputs = 4, int classes = 3, int seed = 1)
    {
        var g = new torch.Generator((ulong)seed);
        return (torch.randn([n, inputs], generator: g), torch.randint(0, classes, [n], generator: g));
    }

    private static bool Finite(Model m) => m.Weights.All(w => torch.isfinite(w.Value).all().item<bool>());

    [Fact]
    public void AnUpdateThatOverflowsStopsAtItsStepWithFiniteLossBeforeIt()
    {
        TanukiInfo.SetRandomSeed(1);
        Model model = Classifier();
        model.Compile(new SGD(1e38), new SparseCategoricalCrossentropy(fromLogits: true));
        var (x, y) = Data();
        var e = Assert.Throws<TrainingException>(() => model.Fit(x * 100, y, batchSize: 8, epochs: 3, verbose: 0));
        Assert.Equal(1, e.Epoch);
        Assert.Equal(1, e.Step);
        Assert.Contains("The weights became infinite at epoch 1, step 1", e.Message);
        Assert.Contains("whose loss", e.Message);
        Assert.True(e.Message.Contains("lower learning rate (it was 1e+38)"), e.Message);
    }

    [Fact]
    public void FitNeverReturnsWithNonFiniteWeights()
    {
        // One epoch of one step, so that the step that might overflow is the last: it used to be checked by nothing.
        int threw = 0;
        foreach (double lr in new[] { 1e3, 1e10, 1e20, 1e30, 1e38 })
        {
            TanukiInfo.SetRandomSeed(7);
            Model model = Classifier();
            model.Compile(new SGD(lr), new SparseCategoricalCrossentropy(fromLogits: true));
            var (x, y) = Data();
            try
            {
                model.Fit(x * 100, y, batchSize: 16, epochs: 1, verbose: 0);
                Assert.True(Finite(model), $"lr {lr}: Fit returned with non-finite weights");
            }
            catch (TrainingException e)
            {
                Assert.Equal((1, 1), (e.Epoch, e.Step));
                threw++;
            }
        }
        Assert.InRange(threw, 1, 4);   // the largest rates overflow; the smallest does not
    }

    [Fact]
    public void ANaNLossStopsBeforeItsUpdateAndNamesTheStep()
    {
        TanukiInfo.SetRandomSeed(2);
        Model model = Classifier();
        model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true));
        var (x, y) = Data(n: 32);
        x[20, 1] = float.NaN;                                          // one bad value in the third batch of 8
        Tensor[] before = model.GetWeights();
        var e = Assert.Throws<TrainingException>(() => model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false));
        Assert.Equal((1, 3), (e.Epoch, e.Step));
        Assert.Contains("The loss became NaN", e.Message);
        Assert.Contains("check the inputs and targets for NaN", e.Message);
        Assert.True(Finite(model));
        Assert.False(before.Zip(model.GetWeights()).All(p => p.First.allclose(p.Second)));   // steps 1 and 2 were applied
    }

    [Fact]
    public void ANaNFromTheForwardPassIntoMovingStatisticsIsNamed()
    {
        TanukiInfo.SetRandomSeed(3);
        var input = new Input(4);
        var model = new Model(input, new Dense(3).Call(new BatchNormalization(name: "bn").Call(input)));
        model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true));
        var (x, y) = Data();
        x[0, 0] = float.PositiveInfinity;
        var e = Assert.Throws<TrainingException>(() => model.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0));
        Assert.Contains("bn/moving_", e.Message);
        Assert.Contains("no longer usable", e.Message);
    }

    [Fact]
    public void TerminateOnNaNStillNeverLeavesSilentNaNWeights()
    {
        TanukiInfo.SetRandomSeed(4);
        Model model = Classifier();
        model.Compile(new SGD(1e38), new SparseCategoricalCrossentropy(fromLogits: true));
        var (x, y) = Data();
        var e = Assert.Throws<TrainingException>(() => model.Fit(x * 100, y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [new TerminateOnNaN()]));
        Assert.Contains("The weights became", e.Message);
    }

    [Fact]
    public void AFiniteRunIsUnaffected()
    {
        TanukiInfo.SetRandomSeed(5);
        Model model = Classifier();
        model.Compile(new Adam(1e-2), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        var (x, y) = Data(n: 64);
        History h = model.Fit(x, y, batchSize: 16, epochs: 20, verbose: 0);
        Assert.True(h["loss"][^1] < h["loss"][0]);
        Assert.True(Finite(model));
    }

    private static Model NaNModel()
    {
        Model model = Classifier();
        foreach (Variable v in model.Weights) v.Assign(torch.full(v.Shape, float.NaN));
        model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        return model;
    }

    [Fact]
    public void EvaluateOfANaNModelScoresNothingAndSaysWhy()
    {
        Model model = NaNModel();
        Tensor x = torch.randn(14, 4), y = torch.zeros(14, dtype: ScalarType.Int64);   // every label is class 0: what argmax of NaN says
        var error = new StringWriter();
        TextWriter old = Console.Error;
        Console.SetError(error);
        Dictionary<string, double> logs;
        try { logs = model.Evaluate(x, y, verbose: 0); }
        finally { Console.SetError(old); }
        Assert.Equal(0.0, logs["accuracy"]);                          // was 1.0
        Assert.True(double.IsNaN(logs["loss"]));
        Assert.Contains("predicted NaN or infinite values for 14 of 14 samples", error.ToString());
        Assert.Contains("count as wrong", error.ToString());
    }

    public static TheoryData<string> MetricNames => new() { "sparse_categorical_accuracy", "categorical_accuracy", "top_k_categorical_accuracy", "binary_accuracy", "accuracy" };

    [Theory]
    [MemberData(nameof(MetricNames))]
    public void NaNPredictionsAreNeverRight(string name)
    {
        Metric metric = Metric.Get(name);
        bool binary = name == "binary_accuracy";
        Tensor pred = binary ? torch.tensor(new float[] { float.NaN, 0.2f, float.NaN, 0.9f }).reshape(4, 1)
                             : torch.tensor(new float[,] { { float.NaN, 0, 0 }, { 5, 0, 0 }, { float.NaN, float.NaN, float.NaN }, { 0, float.PositiveInfinity, 0 } });
        Tensor truth = name is "categorical_accuracy" or "top_k_categorical_accuracy"
            ? torch.tensor(new float[,] { { 1, 0, 0 }, { 1, 0, 0 }, { 1, 0, 0 }, { 0, 1, 0 } })
            : binary ? torch.tensor(new float[] { 0, 0, 0, 1 }).reshape(4, 1) : torch.tensor(new long[] { 0, 0, 0, 1 });
        metric.UpdateState(truth, pred);
        // Only the finite predictions can be right; the others (NaN rows, an infinite logit) count as wrong.
        Assert.Equal(binary ? 0.5 : 0.25, metric.Result(), 6);
    }

    public static TheoryData<string> Dtypes => new() { "int64", "int32", "uint8", "float64", "bool" };

    [Theory]
    [MemberData(nameof(Dtypes))]
    public void InputsOfOtherDtypesAreConverted(string dtype)
    {
        TanukiInfo.SetRandomSeed(6);
        Model model = Classifier();
        Tensor ints = torch.randint(0, 2, [5, 4]);
        Tensor x = dtype switch
        {
            "int64" => ints,
            "int32" => ints.to_type(ScalarType.Int32),
            "uint8" => ints.to_type(ScalarType.Byte),
            "float64" => ints.to_type(ScalarType.Float64),
            _ => ints.to_type(ScalarType.Bool),
        };
        Tensor expected = model.Predict(ints.to_type(ScalarType.Float32));
        TensorAssert.Equal(expected, model.Predict(x));
        model.Compile(new SGD(0.01), new SparseCategoricalCrossentropy(fromLogits: true));
        model.Fit(x, torch.randint(0, 3, [5]), epochs: 1, verbose: 0);   // trains on them too
    }

    [Fact]
    public void ASequentialModelConvertsToo()
    {
        TanukiInfo.SetRandomSeed(8);
        var model = new Sequential(new Input(4), new Dense(3));
        Tensor ints = torch.randint(0, 5, [6, 4]);
        TensorAssert.Equal(model.Predict(ints.to_type(ScalarType.Float32)), model.Predict(ints));
    }

    [Fact]
    public void IntegerArraysAreTakenAsKerasTakesNumPyIntegers()
    {
        Model model = Classifier(inputs: 2);
        Tensor p = model.Predict(new int[,] { { 1, 2 }, { 3, 4 } });
        Assert.Equal(new long[] { 2, 3 }, p.shape);
        Assert.True(torch.isfinite(p).all().item<bool>());
    }
}
