using System.CommandLine;
using TorchSharp;
using System.Diagnostics;
using System.Globalization;
using Tanuki.Callbacks;
using Tanuki.Cli.Report;
using Tanuki.Cli.Workflow;
using Tanuki.Data;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Cli.Commands;

/// <summary>
/// <c>tanuki demo</c>: the library's recipe on the Fashion-MNIST sample embedded in Tanuki (1,000 training and 1,000 test
/// images) with the ImageNet ResNet-18; prints the frozen-base model's and the final model's accuracy on the test
/// images and writes the model and the report.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The demo's settings: the recipe's defaults at 96×96 (the 28×28 images gain nothing from more), 5 fine-tuning epochs.</summary>
    internal static TrainSettings Settings { get; } = new()
    {
        ImageSize = 96, FineTuneEpochs = 5, BatchSize = 32, Augment = ["flip"], Seed = 1,
    };

    public static Command Create()
    {
        var outDir = new Option<string>("--out-dir") { Description = "Where to write the model and the report.", DefaultValueFactory = _ => "tanuki-demo" };
        var size = new Option<int>("--image-size") { Description = "Image size the 28×28 images are resized to (a multiple of 32).", DefaultValueFactory = _ => Settings.Size };
        var ft = new Option<int>("--fine-tune-epochs") { Description = "Epochs of fine-tuning (0: the frozen base only).", DefaultValueFactory = _ => Settings.FineTuneEpochs };
        var cmd = new Command("demo", "Run the whole transfer-learning workflow on the Fashion-MNIST sample embedded in Tanuki, with the ImageNet ResNet-18, and print each stage's test accuracy.")
        {
            outDir, size, ft,
        };
        cmd.SetAction(parse => CommandRunner.Run(() =>
            Execute(parse.GetValue(outDir)!, Settings with { ImageSize = parse.GetValue(size), FineTuneEpochs = parse.GetValue(ft) })));
        return cmd;
    }

    internal static int Execute(string outDir, TrainSettings s)
    {
        s.Validate();
        var clock = Stopwatch.StartNew();
        string model = OutputPaths.CheckWritable(Path.Combine(outDir, "fashion-mnist.tanuki"), "--out-dir");
        string report = Path.Combine(Path.GetDirectoryName(model)!, "report.html");
        TanukiInfo.SetRandomSeed(s.Seed);

        using FashionMnist sample = FashionMnist.LoadSample();
        IReadOnlyList<string> classes = FashionMnist.ClassNames;
        using Tensor trainX = ToRgb(sample.Train.X, s.Size), testX = ToRgb(sample.Test.X, s.Size);
        Dataset train = Dataset.FromTensors(trainX, sample.Train.Y, classes).Batch(s.BatchSize);
        Console.WriteLine($"Fashion-MNIST sample (embedded, MIT licence, Zalando Research): {trainX.shape[0]} training and {testX.shape[0]} test images, " +
                          $"28x28 grey resized to {s.Size}x{s.Size} RGB");

        // The test images are only measured, never used to choose anything: once when fine-tuning starts (the frozen
        // base with the head the recipe fitted) and once at the end (the model the recipe returns).
        var frozen = new TestAccuracyAtStart(testX, sample.Test.Y);
        TrainOutcome outcome = TrainRun.Execute(s, classes.Count, classes, train, null, Console.Out, [frozen]);
        Model m = outcome.Model.Classifier;
        double final = Accuracy(m, testX, sample.Test.Y);
        double frozenAcc = frozen.Value ?? final;   // no fine-tuning: the result is the frozen-base model

        m.Save(model, includeOptimizer: false);
        var (confusion, _) = Evaluation.Run(m, Dataset.FromTensors(testX, sample.Test.Y, classes).Batch(64), classes.Count);
        ReportWriter.Write(report, ReportContent.For(outcome, classes, "tanuki demo",
            [("--image-size", s.Size.ToString(CultureInfo.InvariantCulture)), ("--fine-tune-epochs", s.FineTuneEpochs.ToString(CultureInfo.InvariantCulture))],
            model, [("training", outcome.Duration), ("total", clock.Elapsed)], (confusion, "the 1,000 test images")));
        Console.WriteLine();
        Console.WriteLine($"Frozen-base accuracy on the test images: {frozenAcc:0.0000}");
        if (frozen.Value is not null)
            Console.WriteLine($"Final accuracy on the test images:       {final:0.0000} ({(outcome.Recipe!.FineTuningKept ? "fine-tuned" : "fine-tuning reverted: the frozen base")})");
        Console.WriteLine($"Model:  {model}");
        Console.WriteLine($"Report: {report}");
        Console.WriteLine($"Demo finished in {clock.Elapsed.TotalSeconds:0}s");
        return Program.Ok;
    }

    private static double Accuracy(Model m, Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        return m.Predict(x, batchSize: 64, verbose: 0).argmax(-1).eq(y).to_type(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>N×1×28×28 grey (0–255) → N×3×S×S RGB (0–255), bilinear.</summary>
    internal static Tensor ToRgb(Tensor grey, int size)
    {
        using var scope = NewDisposeScope();
        Tensor resized = F.interpolate(grey, [size, size], mode: InterpolationMode.Bilinear, align_corners: false).clamp(0, 255);
        return resized.expand(-1, 3, -1, -1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>Test accuracy when the first Fit of the run begins: with a logistic head, the frozen-base model as stage 2 starts.</summary>
    private sealed class TestAccuracyAtStart(Tensor x, Tensor y) : Callback
    {
        public double? Value { get; private set; }

        public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
        {
            if (Value is null && Model is Model m) Value = Accuracy(m, x, y);
        }
    }
}
