// Accuracy of transfer learning on a small data set (issues 6 and 11): Fashion-MNIST with 100 training images per
// class (the first 100 of each class in Debian's full training set) and 2,000 test images (the first 200 per class of
// the test set), ImageNet ResNet-18 base. Every recipe row is the library's one recipe, Model.FineTune, on the
// classifier tanuki train builds (TransferModel), as `tanuki train` runs it:
//   frozen   - the recipe's stage 1 alone (FineTuneEpochs = 0): a cross-validated logistic head on cached views
//   default  - the recipe with its defaults (fine-tuning judged on a stratified 20% hold-out, kept if it wins)
//   guide    - the Keras guide's stage 2 (5 epochs at a constant Adam 1e-5), kept whatever it gives
//   scratch  - the same ResNet-18 from random weights, 30 epochs at Adam 1e-3 with flip and translation
// Knobs for the recipe rows: --size (default 224, the base's native size), --ft-epochs, --ft-lr, --aug, --views,
// --keep always|auto, --training-precision float32|mixed_bfloat16. No test image is used to choose anything: test accuracy is printed at the start of fine-tuning
// (the frozen-base model) and at the end.
// Run: benchmarks/accuracy [recipes...] [--size 224] (builds this project in Release and runs it)
using System.Diagnostics;
using System.Globalization;
using Tanuki;
using Tanuki.Applications;
using Tanuki.Callbacks;
using Tanuki.Data;
using Tanuki.FineTuning;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

int size = 224;
int? ftEpochs = null, views = null;
double? ftLr = null;
string aug = "flip", keep = "auto";
var recipes = new List<string>();
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--size") size = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--ft-lr") ftLr = double.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--ft-epochs") ftEpochs = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--views") views = int.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--aug") aug = args[++i];
    else if (args[i] == "--keep") keep = args[++i];
    else if (args[i] == "--training-precision")   // float32 (default) or mixed_bfloat16: every model follows the default
        ExecutionOptions.Default.TrainingPrecision = args[++i] switch
        {
            "float32" => TrainingPrecision.Float32,
            "mixed_bfloat16" => TrainingPrecision.MixedBFloat16,
            var p => throw new ArgumentException($"--training-precision {p}: expected float32 or mixed_bfloat16."),
        };
    else recipes.Add(args[i]);
}
if (recipes.Count == 0) recipes = ["frozen", "default", "guide", "scratch"];

Backend.EnsureInitialized();
bool full = Directory.Exists(FashionMnist.DebianFolder);
using FashionMnist fm = full ? FashionMnist.Load() : FashionMnist.LoadSample();
if (!full) Console.WriteLine($"note: {FashionMnist.DebianFolder} not found (apt-get install dataset-fashion-mnist); using the embedded sample (1,000 test images)");
var (trainX, trainY) = FirstPerClass(fm.Train, 100);
var (testX, testY) = FirstPerClass(fm.Test, full ? 200 : 100);
trainX = ToRgb(trainX, size);
testX = ToRgb(testX, size);
Console.WriteLine($"Fashion-MNIST: {trainX.shape[0]} training, {testX.shape[0]} test images at {size}x{size}; training precision {ExecutionOptions.Default.TrainingPrecision}; threads {Backend.Threads}; load {File.ReadAllText("/proc/loadavg").Trim()}");

var results = new List<(string Recipe, double Frozen, double Final, string Note, double Seconds)>();
foreach (string recipe in recipes)
{
    TanukiInfo.SetRandomSeed(1);
    var clock = Stopwatch.StartNew();
    var (frozen, final, note) = recipe switch
    {
        "frozen" => Recipe(new FineTuneOptions { FineTuneEpochs = 0, AugmentedViews = views, Verbose = 2 }),
        "default" => Recipe(new FineTuneOptions
        {
            FineTuneEpochs = ftEpochs ?? new FineTuneOptions().FineTuneEpochs, FineTuneLearningRate = ftLr ?? new FineTuneOptions().FineTuneLearningRate,
            AugmentedViews = views, KeepFineTuning = keep, Verbose = 2,
        }),
        "guide" => Recipe(new FineTuneOptions
        {
            FineTuneLearningRate = 1e-5, Schedule = "constant", FineTuneEpochs = 5, KeepFineTuning = "always", AugmentedViews = views, Verbose = 2,
        }),
        "scratch" => Scratch(),
        _ => throw new ArgumentException($"unknown recipe {recipe}: frozen, default, guide, scratch"),
    };
    results.Add((recipe, frozen, final, note, clock.Elapsed.TotalSeconds));
    Console.WriteLine($"== {recipe}: frozen-base {frozen:0.0000}, final {final:0.0000} ({note}), {clock.Elapsed.TotalSeconds:0}s");
}
Console.WriteLine();
Console.WriteLine($"{"recipe",-10} {"frozen base",12} {"final",8} {"time",8}  returned");
foreach (var r in results)
    Console.WriteLine($"{r.Recipe,-10} {(double.IsNaN(r.Frozen) ? "-" : r.Frozen.ToString("0.0000")),12} {r.Final,8:0.0000} {r.Seconds,7:0}s  {r.Note}");

(double, double, string) Recipe(FineTuneOptions options)
{
    var m = TransferModel.Create(ImageBase.ResNet18, 10, size, aug == "none" ? [] : aug.Split(','));
    m.Classifier.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
    var atStage2 = new TestAccuracy(m.Classifier, testX, testY);     // the frozen-base model, when fine-tuning begins
    FineTuneResult r = m.Classifier.FineTune(m.Base, trainX, trainY, options: new FineTuneOptions
    {
        FineTuneEpochs = options.FineTuneEpochs, FineTuneLearningRate = options.FineTuneLearningRate, Schedule = options.Schedule,
        KeepFineTuning = options.KeepFineTuning, AugmentedViews = options.AugmentedViews, Verbose = options.Verbose, Callbacks = [atStage2],
    });
    double final = TestAccuracy.Of(m.Classifier, testX, testY);
    string note = r.Stage2.Epochs.Count == 0 ? "frozen base" : r.FineTuningKept ? $"fine-tuned, kept ({r.FineTunedValidationAccuracy:0.000} vs {r.FrozenValidationAccuracy:0.000} held out)"
                                                                                   : $"fine-tuning reverted ({r.FineTunedValidationAccuracy:0.000} vs {r.FrozenValidationAccuracy:0.000} held out)";
    return (atStage2.Value ?? final, final, note);
}

(double, double, string) Scratch()
{
    var m = TransferModel.Create(ImageBase.ResNet18, 10, size, ["flip", "translate"], pretrained: false);
    m.Classifier.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
    m.Classifier.Fit(trainX, trainY, epochs: 30, verbose: 2);
    return (double.NaN, TestAccuracy.Of(m.Classifier, testX, testY), "from random weights");
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

/// <summary>Test accuracy of the model when the recipe's first Fit begins (the frozen-base model); measured, never used to choose.</summary>
sealed class TestAccuracy(Model model, Tensor x, Tensor y) : Callback
{
    public double? Value { get; private set; }

    public static double Of(Model m, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        return m.Predict(x, batchSize: 64).argmax(-1).eq(y).to_type(ScalarType.Float64).mean().item<double>();
    }

    public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
    {
        if (Value is not null) return;
        Value = Of(model, x, y);
        Console.WriteLine($"   test accuracy of the frozen-base model {Value:0.0000}");
    }
}
