using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Tanuki.Cli.Report;
using Tanuki.Cli.Workflow;
using Tanuki.Data;

namespace Tanuki.Cli.Commands;

/// <summary><c>tanuki train DATA_DIR</c>: the two-stage transfer-learning workflow on a folder of images.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var defaults = new TrainSettings();
        var data = new Argument<string>("DATA_DIR") { Description = "A folder with one subfolder of images per class (JPEG, PNG, BMP, GIF, WebP)." };
        var baseOpt = new Option<string>("--base") { Description = "resnet18 (ImageNet-pretrained, frozen then fine-tuned) or scratch (the same network from random weights).", DefaultValueFactory = _ => defaults.Base };
        var size = new Option<int>("--image-size") { Description = "Images are resized to this height and width (a multiple of 32).", DefaultValueFactory = _ => defaults.ImageSize };
        var epochs = new Option<int>("--epochs") { Description = "Epochs of stage 1 (head on the frozen base); early stopping may end it sooner.", DefaultValueFactory = _ => defaults.Epochs };
        var ftEpochs = new Option<int>("--fine-tune-epochs") { Description = $"Epochs of stage 2 (fine-tuning); 0 skips it. [default: {defaults.FineTuneEpochs}; 0 with --base scratch]" };
        var unfreeze = new Option<string>("--unfreeze") { Description = "What stage 2 unfreezes: all, a fraction of the base (0.3), or a layer name prefix (stage4).", DefaultValueFactory = _ => defaults.Unfreeze };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate of stage 1.", DefaultValueFactory = _ => defaults.LearningRate };
        var ftLr = new Option<double>("--fine-tune-lr") { Description = "Adam learning rate of stage 2.", DefaultValueFactory = _ => defaults.FineTuneLearningRate };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var split = new Option<double>("--validation-split") { Description = "Fraction of the images held out for validation (early stopping, the report).", DefaultValueFactory = _ => defaults.ValidationSplit };
        var augment = new Option<string>("--augment") { Description = $"Augmentation during fine-tuning: a comma list of {string.Join(", ", TransferModel.Augmentations)}, or none.", DefaultValueFactory = _ => string.Join(",", defaults.Augment) };
        var patience = new Option<int>("--patience") { Description = "Early stopping: epochs without a better validation loss (stage 1) or accuracy (stage 2) before a stage ends; each stage keeps its best epoch (0: never stop early).", DefaultValueFactory = _ => defaults.Patience };
        var seed = new Option<int>("--seed") { Description = "Seed for the split, shuffling, augmentation and the head's initial weights.", DefaultValueFactory = _ => defaults.Seed };
        var outOpt = new Option<string>("--out") { Description = "Where to write the trained model.", DefaultValueFactory = _ => "model.tanuki" };
        var report = new Option<string>("--report") { Description = "Where to write the HTML report (learning curves, confusion matrix).", DefaultValueFactory = _ => "report.html" };
        var onError = OnError.Create();
        var cmd = new Command("train", "Train an image classifier on a folder of images: freeze a pretrained ResNet-18, train a new head, then unfreeze and fine-tune. Writes the model and an HTML report.")
        {
            data, baseOpt, size, epochs, ftEpochs, unfreeze, lr, ftLr, batch, split, augment, patience, seed, outOpt, report, onError,
        };
        cmd.SetAction(parse =>
        {
            string baseName = parse.GetValue(baseOpt)!;
            // A base from scratch has no stage 2, so its default is none (an explicit --fine-tune-epochs is still refused).
            int fineTuneEpochs = parse.GetResult(ftEpochs) is null ? (baseName == "scratch" ? 0 : defaults.FineTuneEpochs) : parse.GetValue(ftEpochs);
            var settings = new TrainSettings
            {
                Base = baseName, ImageSize = parse.GetValue(size), Epochs = parse.GetValue(epochs),
                FineTuneEpochs = fineTuneEpochs, Unfreeze = parse.GetValue(unfreeze)!, LearningRate = parse.GetValue(lr),
                FineTuneLearningRate = parse.GetValue(ftLr), BatchSize = parse.GetValue(batch), ValidationSplit = parse.GetValue(split),
                Augment = ParseAugment(parse.GetValue(augment)!), Patience = parse.GetValue(patience), Seed = parse.GetValue(seed),
            };
            var options = cmd.Options.Where(o => o.Name.StartsWith("--", StringComparison.Ordinal) && o.Name != "--help")
                .Select(o => (o.Name, o == ftEpochs ? fineTuneEpochs.ToString(CultureInfo.InvariantCulture)
                                                    : Convert.ToString(parse.GetResult(o)?.GetValueOrDefault<object>(), CultureInfo.InvariantCulture) ?? "")).ToList();
            return CommandRunner.Run(() => Execute(parse.GetValue(data)!, settings, parse.GetValue(outOpt)!, parse.GetValue(report), options,
                                                   "tanuki " + string.Join(' ', parse.Tokens.Select(t => t.Value)), OnError.Parse(parse.GetValue(onError)!)));
        });
        return cmd;
    }

    internal static IReadOnlyList<string> ParseAugment(string text) =>
        text.Trim() is "" or "none" ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static int Execute(string dataDir, TrainSettings s, string outPath, string? reportPath,
                               IReadOnlyList<(string, string)> options, string commandLine, string onError)
    {
        s.Validate();
        DataFolder.Check(dataDir);
        string model = OutputPaths.CheckWritable(outPath, "--out");
        string? report = string.IsNullOrEmpty(reportPath) ? null : OutputPaths.CheckWritable(reportPath, "--report");
        OutputPaths.CheckTrainOutputs(dataDir, model, report);
        var total = Stopwatch.StartNew();
        TanukiInfo.SetRandomSeed(s.Seed);

        ImageDataset train;
        ImageDataset? val = null;
        try
        {
            if (s.ValidationSplit > 0)
                (train, val) = ImageDataset.FromDirectoryWithValidation(dataDir, (s.ImageSize, s.ImageSize), s.ValidationSplit, s.BatchSize, s.Seed, onError: onError);
            else
                train = ImageDataset.FromDirectory(dataDir, (s.ImageSize, s.ImageSize), s.BatchSize, seed: s.Seed, onError: onError);
        }
        catch (ArgumentException e) when (e.ParamName == "validationSplit")
        {
            throw new CliException($"--validation-split {s.ValidationSplit.ToString(CultureInfo.InvariantCulture)}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "")} " +
                                   "Use a split that leaves images on both sides (0.2 is usual), more images, or --validation-split 0.");
        }
        int classes = train.ClassNames!.Count;
        Console.WriteLine($"Data: {train.FilePaths.Count} training" + (val is null ? "" : $" and {val.FilePaths.Count} validation") +
                          $" images of {classes} classes ({string.Join(", ", train.ClassNames)}) at {s.ImageSize}x{s.ImageSize}");
        TimeSpan loading = total.Elapsed;

        var m = TransferModel.Build(s, classes);
        if (s.FineTuneEpochs > 0) m.CheckUnfreeze(s.Unfreeze);
        bool trainsBase = s.FineTuneEpochs > 0 || s.Base == "scratch";
        MemoryCheck.Require(trainsBase ? MemoryCheck.Training(m.Training, s.BatchSize) : MemoryCheck.Inference(m.Classifier, s.BatchSize),
                            $"{(trainsBase ? "training all of ResNet-18" : "running ResNet-18")} at {s.ImageSize}x{s.ImageSize} on batches of {s.BatchSize}",
                            ratio => s.BatchSize > 1 && s.BatchSize / ratio >= 1
                                ? $"Use --batch-size {Math.Max(1, (int)(s.BatchSize / ratio))} or less, or a smaller --image-size."
                                : $"Use a smaller --image-size (at most about {Math.Max(32, (int)(s.ImageSize / Math.Sqrt(ratio)) / 32 * 32)}).");
        m.Classifier.ClassNames = train.ClassNames;
        Console.WriteLine($"Model: ResNet-18 ({(s.Base == "resnet18" ? "ImageNet weights" : "random weights")}, {m.Base.CountParams():N0} parameters) " +
                          $"+ head ({m.Head.CountParams():N0} parameters)");
        string evaluatedOn = val is null ? "training set (no validation split)" : "validation set";
        TwoStageResult r = TwoStageTraining.Run(m, s, train, val, (Dataset?)val ?? train, evaluatedOn, classes, Console.Out);

        m.Classifier.Save(model);
        Console.WriteLine($"Wrote the model to {model}");
        OnError.Summarize(train.SkippedFiles, null, Console.Error);
        if (report is not null)
        {
            var timings = new List<(string, TimeSpan)> { ("indexing the images", loading), ("stage 1", r.Stage1Time) };
            if (r.Stage2Time is TimeSpan t2) timings.Add(("stage 2", t2));
            timings.Add(("total", total.Elapsed));
            var results = new List<(string, string)> { ($"accuracy after stage 1 ({evaluatedOn})", r.Stage1Accuracy.ToString("0.0000", CultureInfo.InvariantCulture)) };
            if (r.Stage2Accuracy is double a2) results.Add(($"accuracy after fine-tuning ({evaluatedOn})", a2.ToString("0.0000", CultureInfo.InvariantCulture)));
            if (r.Unfrozen is not null) results.Add(("unfrozen in stage 2", r.Unfrozen));
            ReportWriter.Write(report, new ReportData
            {
                Command = commandLine, Options = options, ClassNames = train.ClassNames, Stage1 = r.Stage1, Stage2 = r.Stage2,
                Confusion = r.Confusion, EvaluatedOn = evaluatedOn, Timings = timings, Results = results, ModelPath = model,
            });
            Console.WriteLine($"Wrote the report to {report}");
        }
        return Program.Ok;
    }
}
