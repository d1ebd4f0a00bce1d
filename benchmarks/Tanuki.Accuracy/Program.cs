// Accuracy of transfer learning on a small data set (issue 6): Fashion-MNIST with 100 training images per class
// (the first 100 of each class in Debian's full training set) and 2,000 test images (the first 200 per class of
// the test set), ImageNet ResNet-18 base at 96x96. Recipes:
//   frozen   - the head on the frozen base only (stage 1 of the library's default recipe: 50 epochs, Adam 1e-3)
//   default  - Model.FineTune with its defaults: that stage 1, then unfreeze all and 8 epochs at Adam 1e-4
//              decaying on a cosine
//   guide    - the Keras guide's stage 2: 5 epochs at a constant Adam 1e-5
//   tuned    - augmentation in stage 2 (--aug flip,translate), label smoothing (--smooth 0.1), fine-tuning at
//              Adam --ft-lr (1e-4) with the base at --base-mult (1) times the head's rate and a cosine schedule over
//              --ft-epochs (12) epochs
//   scratch  - the same ResNet-18 from random weights, 30 epochs at Adam 1e-3 with the same augmentation
// No validation split: every recipe trains on the 1,000 images for fixed epochs and is measured on the 2,000 test
// images at the end of each stage (printed, never used to choose anything).
// Run: benchmarks/accuracy [recipes...] [--size 96] (builds this project in Release and runs it)
using System.Diagnostics;
using System.Globalization;
using Tanuki;
using Tanuki.Applications;
using Tanuki.Callbacks;
using Tanuki.Data;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

int size = 96;
int headEpochs = 50;
double ftLr = 1e-4, baseMult = 1, smooth = 0.1;
int ftEpochs = 12;
string aug = "flip,translate";
bool trainBn = false;
var recipes = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--size") size = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--head-epochs") headEpochs = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--ft-lr") ftLr = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--ft-epochs") ftEpochs = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--base-mult") baseMult = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--smooth") smooth = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--aug") aug = args[++i];
    else if (args[i] == "--train-bn") trainBn = true;
    else recipes.Add(args[i]);
}
if (recipes.Count == 0) recipes = ["frozen", "default", "guide", "tuned", "scratch"];

Backend.EnsureInitialized();
bool full = Directory.Exists(FashionMnist.DebianFolder);
using FashionMnist fm = full ? FashionMnist.Load() : FashionMnist.LoadSample();
if (!full) Console.WriteLine($"note: {FashionMnist.DebianFolder} not found (apt-get install dataset-fashion-mnist); using the embedded sample (1,000 test images)");
var (trainX, trainY) = FirstPerClass(fm.Train, 100);
var (testX, testY) = FirstPerClass(fm.Test, full ? 200 : 100);
trainX = ToRgb(trainX, size);
testX = ToRgb(testX, size);
Console.WriteLine($"Fashion-MNIST: {trainX.shape[0]} training, {testX.shape[0]} test images at {size}x{size}; threads {Backend.Threads}; load {File.ReadAllText("/proc/loadavg").Trim()}");

var results = new List<(string Recipe, double Frozen, double Final, double Best, double Seconds)>();
foreach (string recipe in recipes)
{
    TanukiInfo.SetRandomSeed(1);
    var clock = Stopwatch.StartNew();
    var (frozen, final, best) = recipe switch
    {
        "frozen" => Library(new FineTuneOptions { FineTuneEpochs = 0, Verbose = 2 }),
        "default" => Library(new FineTuneOptions { Verbose = 2 }),
        "guide" => Library(new FineTuneOptions { FineTuneLearningRate = 1e-5, Schedule = "constant", FineTuneEpochs = 5, Verbose = 2 }),
        "tuned" => Run(fineTune: true, tuned: true),
        "scratch" => Scratch(),
        _ => throw new ArgumentException($"unknown recipe {recipe}: frozen, default, tuned, scratch"),
    };
    results.Add((recipe, frozen, final, best, clock.Elapsed.TotalSeconds));
    Console.WriteLine($"== {recipe}: frozen-stage {frozen:0.0000}, final {final:0.0000} (best stage {best:0.0000}), {clock.Elapsed.TotalSeconds:0}s");
}
Console.WriteLine();
Console.WriteLine($"{"recipe",-10} {"frozen stage",13} {"final",8} {"best stage",11} {"time",8}");
foreach (var r in results)
    Console.WriteLine($"{r.Recipe,-10} {(double.IsNaN(r.Frozen) ? "-" : r.Frozen.ToString("0.0000")),13} {r.Final,8:0.0000} {r.Best,11:0.0000} {r.Seconds,7:0}s");

(double, double, double) Library(FineTuneOptions options)
{
    Model baseModel = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, size, size]);
    var input = new Input(3, size, size);
    var x = baseModel.Call(new ResNet18Preprocessing().Call(input), training: false);
    var model = new Model(input, new Dense(10).Call(new Dropout(0.2).Call(new GlobalAveragePooling2D().Call(x))));
    model.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
    var curve = new TestAccuracy(model, testX, testY);       // measured at the end of each stage
    model.FineTune(baseModel, trainX, trainY, options: new FineTuneOptions
    {
        HeadEpochs = options.HeadEpochs, FineTuneEpochs = options.FineTuneEpochs, FineTuneLearningRate = options.FineTuneLearningRate,
        Schedule = options.Schedule, Verbose = options.Verbose, Callbacks = [curve],
    });
    return (curve.Values[0], curve.Last, curve.Best);
}

(double, double, double) Run(bool fineTune, bool tuned)
{
    Model baseModel = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, size, size]);
    var input = new Input(3, size, size);
    var pre = new ResNet18Preprocessing();
    var pool = new GlobalAveragePooling2D();
    var drop = new Dropout(0.2);
    var head = new Dense(10);
    SymbolicTensor Classify(SymbolicTensor x) => head.Call(drop.Call(pool.Call(baseModel.Call(pre.Call(x), training: false))));
    var model = new Model(input, Classify(input));
    Loss loss = new SparseCategoricalCrossentropy(fromLogits: true);
    var curve = new TestAccuracy(model, testX, testY);

    // Stage 1: frozen base, the head at Adam 1e-3 (the cache makes these epochs nearly free).
    baseModel.Trainable = false;
    model.Compile(new Adam(1e-3), loss, ["accuracy"]);
    model.Fit(trainX, trainY, epochs: headEpochs, verbose: 2, callbacks: [curve]);
    double frozen = curve.Last;
    if (!fineTune) return (frozen, frozen, curve.Best);

    // Stage 2.
    baseModel.Unfreeze();
    if (!tuned)
    {
        model.Compile(new Adam(1e-5), loss, ["accuracy"]);
        model.Fit(trainX, trainY, epochs: 5, verbose: 2, callbacks: [curve]);
        return (frozen, curve.Last, curve.Best);
    }
    var input2 = new Input(3, size, size);
    SymbolicTensor a = input2;
    // --train-bn: the fine-tuning model calls the base without training: false, so its BatchNormalization layers
    // normalize with batch statistics and re-estimate their moving statistics on this data (AdaBN-like).
    SymbolicTensor ClassifyTrainingBn(SymbolicTensor t) => head.Call(drop.Call(pool.Call(baseModel.Call(pre.Call(t)))));
    if (aug.Contains("flip")) a = new RandomFlip("horizontal", seed: 1).Call(a);
    if (aug.Contains("translate")) a = new RandomTranslation(0.1, 0.1, fillMode: "constant", seed: 2).Call(a);
    var augmented = new Model(input2, trainBn ? ClassifyTrainingBn(a) : Classify(a));
    var opt = new Adam(ftLr);
    if (baseMult != 1) DiscriminativeLearningRates.Apply(opt, (baseModel, baseMult));
    augmented.Compile(opt, smooth > 0 ? new CategoricalFromSparse(smooth) : loss, ["accuracy"]);
    int epochs = ftEpochs;
    var cosine = new LearningRateScheduler(e => ftLr * 0.5 * (1 + Math.Cos(Math.PI * e / epochs)));
    augmented.Fit(trainX, trainY, epochs: epochs, verbose: 2, callbacks: [cosine, curve]);
    return (frozen, curve.Last, curve.Best);
}

(double, double, double) Scratch()
{
    Model baseModel = ResNet18.Create(weights: null, includeTop: false, inputShape: [3, size, size]);
    var input = new Input(3, size, size);
    SymbolicTensor a = new RandomFlip("horizontal", seed: 1).Call(input);
    a = new RandomTranslation(0.1, 0.1, fillMode: "constant", seed: 2).Call(a);
    var x = new Dense(10).Call(new Dropout(0.2).Call(new GlobalAveragePooling2D().Call(baseModel.Call(new Rescaling(1 / 255.0).Call(a)))));
    var model = new Model(input, x);
    var curve = new TestAccuracy(model, testX, testY);
    model.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
    model.Fit(trainX, trainY, epochs: 30, verbose: 2, callbacks: [curve]);
    return (double.NaN, curve.Last, curve.Best);
}

static (Tensor X, Tensor Y) FirstPerClass((Tensor X, Tensor Y) data, int perClass)
{
    long[] labels = data.Y.data<long>().ToArray();
    var taken = new int[10];
    var idx = new List<long>();
    for (long i = 0; i < labels.Length; i++)
        if (taken[labels[i]]++ < perClass) idx.Add(i);
    Tensor index = torch.tensor(idx.ToArray());
    return (data.X.index_select(0, index), data.Y.index_select(0, index));
}

static Tensor ToRgb(Tensor grey, int size) =>
    F.interpolate(grey, [size, size], mode: InterpolationMode.Bilinear, align_corners: false).clamp(0, 255).expand(-1, 3, -1, -1).contiguous();

/// <summary>Test accuracy at the end of each Fit (each stage); measured, never used to choose anything.</summary>
sealed class TestAccuracy(Model model, Tensor x, Tensor y) : Callback
{
    public List<double> Values { get; } = new();
    public double Last { get; private set; }
    public double Best { get; private set; }

    public override void OnTrainEnd(IReadOnlyDictionary<string, double> logs)
    {
        Tensor p = model.Predict(x, batchSize: 64);
        Last = p.argmax(-1).eq(y).to_type(ScalarType.Float64).mean().item<double>();
        Values.Add(Last);
        Best = Math.Max(Best, Last);
        Console.WriteLine($"   test accuracy {Last:0.0000}");
    }
}

/// <summary>Categorical cross-entropy with label smoothing on integer labels.</summary>
sealed class CategoricalFromSparse(double smoothing) : Loss("categorical_crossentropy")
{
    private readonly CategoricalCrossentropy _inner = new(fromLogits: true, labelSmoothing: smoothing);

    protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
    {
        Tensor oneHot = F.one_hot(yTrue.reshape(-1).to_type(ScalarType.Int64), yPred.shape[^1]).to_type(yPred.dtype);
        return _inner.Call(oneHot, yPred).expand(yPred.shape[0]);
    }
}
