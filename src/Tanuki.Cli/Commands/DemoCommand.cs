using System.CommandLine;
using TorchSharp;
using System.Diagnostics;
using System.Globalization;
using Tanuki.Cli.Report;
using Tanuki.Cli.Workflow;
using Tanuki.Data;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Cli.Commands;

/// <summary>
/// <c>tanuki demo</c>: the whole workflow on the Fashion-MNIST sample embedded in Tanuki (1,000 training and 1,000 test
/// images) with the ImageNet ResNet-18: frozen base and new head, then fine-tuning; prints both stages' accuracy on the
/// test images and writes the model and the report.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The demo's recipe, chosen to finish in about two minutes on a 2-core laptop-class CPU.</summary>
    internal static TrainSettings Settings { get; } = new()
    {
        ImageSize = 96, Epochs = 50, FineTuneEpochs = 5, FineTuneLearningRate = 1e-4, Unfreeze = "all", BatchSize = 32,
        Augment = ["flip"], Patience = 5, Seed = 1,
    };

    public static Command Create()
    {
        var outDir = new Option<string>("--out-dir") { Description = "Where to write the model and the report.", DefaultValueFactory = _ => "tanuki-demo" };
        var size = new Option<int>("--image-size") { Description = "Image size the 28×28 images are resized to (a multiple of 32).", DefaultValueFactory = _ => Settings.ImageSize };
        var ft = new Option<int>("--fine-tune-epochs") { Description = "Epochs of fine-tuning.", DefaultValueFactory = _ => Settings.FineTuneEpochs };
        var cmd = new Command("demo", "Run the whole transfer-learning workflow on the Fashion-MNIST sample embedded in Tanuki, with the ImageNet ResNet-18, and print each stage's accuracy.")
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
        Tensor trainX = ToRgb(sample.Train.X, s.ImageSize), testX = ToRgb(sample.Test.X, s.ImageSize);
        Tensor order = torch.randperm(trainX.shape[0], generator: new Generator((ulong)s.Seed));
        long valCount = trainX.shape[0] / 5;
        Tensor valIdx = order[TensorIndex.Slice(0, valCount)], trainIdx = order[TensorIndex.Slice(valCount)];
        Dataset train = Dataset.FromTensors(trainX.index_select(0, trainIdx), sample.Train.Y.index_select(0, trainIdx), classes)
            .Shuffle((int)(trainX.shape[0] - valCount), seed: s.Seed).Batch(s.BatchSize);
        Dataset val = Dataset.FromTensors(trainX.index_select(0, valIdx), sample.Train.Y.index_select(0, valIdx), classes).Batch(64);
        Dataset test = Dataset.FromTensors(testX, sample.Test.Y, classes).Batch(64);
        Console.WriteLine($"Fashion-MNIST sample (embedded, MIT licence, Zalando Research): {trainX.shape[0] - valCount} training, {valCount} validation " +
                          $"and {testX.shape[0]} test images, 28x28 grey resized to {s.ImageSize}x{s.ImageSize} RGB");

        var m = TransferModel.Build(s, classes.Count);
        m.Classifier.ClassNames = classes;
        Console.WriteLine($"Base: ResNet-18 with ImageNet weights ({m.Base.CountParams():N0} parameters), from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18");
        TwoStageResult r = TwoStageTraining.Run(m, s, train, val, test, "test images", classes.Count, Console.Out);

        m.Classifier.Save(model);
        ReportWriter.Write(report, new ReportData
        {
            Command = "tanuki demo", Options = [("--image-size", s.ImageSize.ToString(CultureInfo.InvariantCulture)), ("--fine-tune-epochs", s.FineTuneEpochs.ToString(CultureInfo.InvariantCulture))],
            ClassNames = classes, Stage1 = r.Stage1, Stage2 = r.Stage2, Confusion = r.Confusion, EvaluatedOn = "test images",
            // With --fine-tune-epochs 0 there is no stage 2 to time or report.
            Timings = [("stage 1", r.Stage1Time), .. r.Stage2Time is TimeSpan t2 ? [("stage 2", t2)] : Array.Empty<(string, TimeSpan)>(), ("total", clock.Elapsed)],
            Results = [("frozen-base accuracy (test)", r.Stage1Accuracy.ToString("0.0000", CultureInfo.InvariantCulture)),
                       .. r.Stage2Accuracy is double a ? [("fine-tuned accuracy (test)", a.ToString("0.0000", CultureInfo.InvariantCulture))] : Array.Empty<(string, string)>()],
            ModelPath = model,
        });
        Console.WriteLine();
        Console.WriteLine($"Frozen-base accuracy on the test images: {r.Stage1Accuracy:0.0000}");
        if (r.Stage2Accuracy is double a2) Console.WriteLine($"Fine-tuned accuracy on the test images:  {a2:0.0000}");
        Console.WriteLine($"Model:  {model}");
        Console.WriteLine($"Report: {report}");
        Console.WriteLine($"Demo finished in {clock.Elapsed.TotalSeconds:0}s");
        return Program.Ok;
    }

    /// <summary>N×1×28×28 grey (0–255) → N×3×S×S RGB (0–255), bilinear.</summary>
    internal static Tensor ToRgb(Tensor grey, int size)
    {
        using var scope = NewDisposeScope();
        Tensor resized = F.interpolate(grey, [size, size], mode: InterpolationMode.Bilinear, align_corners: false).clamp(0, 255);
        return resized.expand(-1, 3, -1, -1).contiguous().MoveToOuterDisposeScope();
    }
}
