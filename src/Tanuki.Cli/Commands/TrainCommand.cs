using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Tanuki.Cli.Report;
using Tanuki.Cli.Workflow;
using Tanuki.Data;

namespace Tanuki.Cli.Commands;

/// <summary><c>tanuki train DATA_DIR</c>: the transfer-learning recipe of the library on a folder of images.</summary>
internal static class TrainCommand
{
    public static Command Create(CancellationToken cancellationToken = default)
    {
        var d = new TrainSettings();
        var data = new Argument<string>("DATA_DIR") { Description = "A folder with one subfolder of images per class (JPEG, PNG, BMP, GIF, WebP)." };
        var baseOpt = new Option<string>("--base") { Description = $"The pretrained base: {string.Join(", ", TrainSettings.Bases.Where(b => b != "scratch"))}, or an .onnx image classifier (cut before its classifier), or scratch (ResNet-18 from random weights).", DefaultValueFactory = _ => d.Base };
        var preprocessing = new Option<string>("--preprocessing") { Description = "With an .onnx base, what its weights expect: imagenet (torchvision, timm), inception (-1 to 1), unit (0 to 1) or none (0-255).", DefaultValueFactory = _ => d.Preprocessing };
        var baseOutput = new Option<string?>("--base-output") { Description = "With an .onnx base, the tensor to cut it at [default: the input of its final fully connected layer]." };
        var size = new Option<int?>("--image-size") { Description = "Images are brought to this height and width [default: the base's native size, 224 for resnet18]." };
        var resize = new Option<string>("--resize") { Description = "How images of other shapes become squares: pad (whole image, white around it), squash (stretch) or crop (centre).", DefaultValueFactory = _ => d.Resize };
        var ftEpochs = new Option<int>("--fine-tune-epochs") { Description = $"Epochs of fine-tuning the unfrozen base; 0 skips it. [default: {d.FineTuneEpochs}; 0 with --base scratch]" };
        var unfreeze = new Option<string>("--unfreeze") { Description = "What fine-tuning unfreezes: all, a fraction of the base (0.3), or a block or layer name prefix (stage4).", DefaultValueFactory = _ => d.Unfreeze };
        var ftLr = new Option<double>("--fine-tune-lr") { Description = "Adam learning rate of fine-tuning (decays on a cosine).", DefaultValueFactory = _ => d.FineTuneLearningRate };
        var keep = new Option<string>("--keep-fine-tuning") { Description = "auto: keep fine-tuning only if it beats the frozen base on held-out images by more than noise; always.", DefaultValueFactory = _ => d.KeepFineTuning };
        var balance = new Option<string>("--class-weight") { Description = "balanced: every class weighs the same in the loss, however many images it has; none.", DefaultValueFactory = _ => d.Balance ? "balanced" : "none" };
        var tta = new Option<string>("--tta") { Description = "Test-time augmentation: auto (average over the mirror image when cross-validation prefers it), flip or none.", DefaultValueFactory = _ => d.TestTimeAugmentation };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => d.BatchSize };
        var split = new Option<double>("--validation-split") { Description = "Fraction held out as a validation set that judges fine-tuning and fills the report's confusion matrix. 0: none (the head is cross-validated, and 20% is held out only to judge fine-tuning).", DefaultValueFactory = _ => d.ValidationSplit };
        var augment = new Option<string>("--augment") { Description = $"Augmentation layers active while fine-tuning: a comma list of {string.Join(", ", Tanuki.FineTuning.TransferModel.Augmentations)}, or none.", DefaultValueFactory = _ => string.Join(",", d.Augment) };
        var patience = new Option<int>("--patience") { Description = "Stop fine-tuning after this many epochs without a better validation accuracy, keeping the best (0: run every epoch).", DefaultValueFactory = _ => d.Patience };
        var epochs = new Option<int>("--epochs") { Description = "Epochs of training with --base scratch (a pretrained base's head is fitted to convergence).", DefaultValueFactory = _ => d.Epochs };
        var lr = new Option<double>("--lr") { Description = "Adam learning rate with --base scratch.", DefaultValueFactory = _ => d.LearningRate };
        var precision = new Option<string>("--training-precision") { Description = "float32, or mixed_bfloat16: convolutions and dense layers compute in bfloat16 while training, weights stay float32 (Keras's policy; about 1.5-1.7x faster on CPUs with AVX-512 BF16 or AMX, slower on others).", DefaultValueFactory = _ => d.TrainingPrecision };
        var seed = new Option<int>("--seed") { Description = "Seed of the folds, the held-out images, the augmented views, shuffling and initial weights.", DefaultValueFactory = _ => d.Seed };
        var outOpt = new Option<string>("--out") { Description = "Where to write the trained model.", DefaultValueFactory = _ => "model.tanuki" };
        var report = new Option<string>("--report") { Description = "Where to write the HTML report (choices, learning curves, confusion matrix).", DefaultValueFactory = _ => "report.html" };
        var onError = OnError.Create();
        var cmd = new Command("train", "Train an image classifier on a folder of images: a pretrained base, frozen, with a new head fitted on its features; then the base unfrozen and fine-tuned when that measurably helps. Writes the model and an HTML report.")
        {
            data, baseOpt, preprocessing, baseOutput, size, resize, ftEpochs, unfreeze, ftLr, keep, balance, tta, batch, split, augment, patience, precision, epochs, lr, seed, outOpt, report, onError,
        };
        cmd.SetAction(parse =>
        {
            string baseName = parse.GetValue(baseOpt)!;
            // A base from scratch has no stage 2, so its default is none (an explicit --fine-tune-epochs is still refused).
            int fineTuneEpochs = parse.GetResult(ftEpochs) is null ? (baseName == "scratch" ? 0 : d.FineTuneEpochs) : parse.GetValue(ftEpochs);
            string weighting = parse.GetValue(balance)!;
            var settings = new TrainSettings
            {
                Base = baseName, Preprocessing = parse.GetValue(preprocessing)!, BaseOutput = parse.GetValue(baseOutput), ImageSize = parse.GetValue(size), Resize = parse.GetValue(resize)!, Epochs = parse.GetValue(epochs),
                FineTuneEpochs = fineTuneEpochs, Unfreeze = parse.GetValue(unfreeze)!, LearningRate = parse.GetValue(lr),
                FineTuneLearningRate = parse.GetValue(ftLr), KeepFineTuning = parse.GetValue(keep)!, TestTimeAugmentation = parse.GetValue(tta)!,
                Balance = weighting == "balanced", BatchSize = parse.GetValue(batch), ValidationSplit = parse.GetValue(split),
                Augment = ParseAugment(parse.GetValue(augment)!), Patience = parse.GetValue(patience), Seed = parse.GetValue(seed),
                TrainingPrecision = parse.GetValue(precision)!,
            };
            if (weighting is not ("balanced" or "none"))
                return CommandRunner.Run(() => throw new CliException($"--class-weight '{weighting}' is not understood. Choose balanced or none."));
            // Every option with the value used, for the report (the size after validation: it may come from the base).
            List<(string, string)> Options() => cmd.Options.Where(o => o.Name.StartsWith("--", StringComparison.Ordinal) && o.Name != "--help")
                .Select(o => (o.Name, o == ftEpochs ? fineTuneEpochs.ToString(CultureInfo.InvariantCulture)
                                    : o == size ? settings.Size.ToString(CultureInfo.InvariantCulture)
                                    : Convert.ToString(parse.GetResult(o)?.GetValueOrDefault<object>(), CultureInfo.InvariantCulture) ?? "")).ToList();
            using var interrupt = new Interrupt(cancellationToken);   // Ctrl+C stops training and keeps what is finished
            return CommandRunner.Run(() => Execute(parse.GetValue(data)!, settings, parse.GetValue(outOpt)!, parse.GetValue(report), Options,
                                                   "tanuki " + string.Join(' ', parse.Tokens.Select(t => t.Value)), OnError.Parse(parse.GetValue(onError)!),
                                                   interrupt.Token));
        });
        return cmd;
    }

    internal static IReadOnlyList<string> ParseAugment(string text) =>
        text.Trim() is "" or "none" ? [] : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static int Execute(string dataDir, TrainSettings s, string outPath, string? reportPath,
                               Func<List<(string, string)>> options, string commandLine, string onError, CancellationToken cancellationToken)
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
        (int, int) size = (s.Size, s.Size);
        var (crop, pad) = s.ResizeMode.ToAspectRatioFlags();
        try
        {
            if (s.ValidationSplit > 0)
                (train, val) = ImageDataset.FromDirectoryWithValidation(dataDir, size, s.ValidationSplit, s.BatchSize, s.Seed, cropToAspectRatio: crop,
                                                                        padToAspectRatio: pad, onError: onError);
            else
                train = ImageDataset.FromDirectory(dataDir, size, s.BatchSize, seed: s.Seed, cropToAspectRatio: crop, padToAspectRatio: pad, onError: onError);
        }
        catch (ArgumentException e) when (e.ParamName == "validationSplit")
        {
            throw new CliException($"--validation-split {s.ValidationSplit.ToString(CultureInfo.InvariantCulture)}: {e.Message.Replace($" (Parameter '{e.ParamName}')", "")} " +
                                   "Use a split that leaves images on both sides (0.2 is usual), more images, or --validation-split 0.");
        }
        int classes = train.ClassNames!.Count;
        Console.WriteLine($"Data: {train.FilePaths.Count} training" + (val is null ? "" : $" and {val.FilePaths.Count} validation") +
                          $" images of {classes} classes ({string.Join(", ", train.ClassNames)})");
        Console.WriteLine($"Images: {s.Size}x{s.Size}" + (s.ImageSize is null ? $" ({s.ImageBase.Name}'s native size)" : "") + $", {ResizeText(s.ResizeMode)}");
        TimeSpan loading = total.Elapsed;

        TrainOutcome outcome = TrainRun.Execute(s, classes, train.ClassNames, train, val, Console.Out, cancellationToken: cancellationToken);
        if (outcome.Interruption is TrainingCanceledException stopped) return Interrupted(stopped, s.Pretrained, outcome.Model.Classifier, model);
        outcome.Model.Classifier.Save(model, includeOptimizer: false);   // a finished model: its optimizer's state would only triple the file
        Console.WriteLine($"Wrote the model to {model}");
        OnError.Summarize(train.SkippedFiles, null, Console.Error);
        if (report is not null)
        {
            ReportWriter.Write(report, ReportContent.For(outcome, train.ClassNames, commandLine, options(), model,
                                                         [("indexing the images", loading), ("training", outcome.Duration), ("total", total.Elapsed)]));
            Console.WriteLine($"Wrote the report to {report}");
        }
        return Program.Ok;
    }

    /// <summary>
    /// Ctrl+C stopped training: write the best model the recipe had finished (the frozen-base model of stage 1, put back
    /// when stage 2 was interrupted), whole or not at all (the save is atomic and no longer cancellable); no report.
    /// </summary>
    private static int Interrupted(TrainingCanceledException stopped, bool pretrained, Model classifier, string path)
    {
        if (stopped.CompletedStages == 0)
        {
            Console.Error.WriteLine(pretrained ? "tanuki: interrupted before stage 1 (the head on the frozen base) finished; no model was written."
                                               : $"tanuki: interrupted after {stopped.History.Epochs.Count} complete epochs of training from random weights; no model was written.");
            return Program.Interrupted;
        }
        classifier.Save(path, includeOptimizer: false);
        string which = stopped.CompletedStages == 1
            ? "during fine-tuning (stage 2): wrote the frozen-base model of stage 1"
            : "while refitting on all the images: wrote the fine-tuned model judged on the held-out images";
        Console.WriteLine($"Wrote the model to {path}");
        Console.Error.WriteLine($"tanuki: interrupted {which} to {path}; no report was written.");
        return Program.Interrupted;
    }

    internal static string ResizeText(ResizeMode mode) => mode switch
    {
        ResizeMode.Pad => "each padded to a square with white, so no image is cut or stretched",
        ResizeMode.Crop => "each cropped to its centre square",
        _ => "each stretched to a square",
    };
}
