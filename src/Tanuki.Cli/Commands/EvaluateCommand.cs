using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tanuki.Data;

namespace Tanuki.Cli.Commands;

/// <summary><c>tanuki evaluate MODEL DATA_DIR</c>: accuracy, per-class accuracy and the confusion matrix.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "A .tanuki model file written by 'tanuki train'." };
        var data = new Argument<string>("DATA_DIR") { Description = "A folder with one subfolder of images per class, named as when training (all of the model's classes, or some)." };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 32 };
        var json = new Option<bool>("--json") { Description = "Print one JSON document instead of text: accuracy, count, classes, per_class " +
            "(class, count, correct, accuracy), confusion_matrix (rows true class, columns predicted, in the order of classes), non_finite." };
        var onError = OnError.Create();
        var cmd = new Command("evaluate", "Measure a trained model on a folder of labelled images: accuracy, per-class accuracy, confusion matrix.") { model, data, batch, json, onError };
        cmd.SetAction(parse => CommandRunner.Run(() =>
            Execute(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(batch), parse.GetValue(json), OnError.Parse(parse.GetValue(onError)!))));
        return cmd;
    }

    private static int Execute(string modelPath, string dataDir, int batchSize, bool json, string onError)
    {
        if (batchSize < 1) throw new CliException($"--batch-size must be at least 1. Received: {batchSize}");
        ModelFiles.Check(modelPath);
        DataFolder.Check(dataDir);
        Model model = ModelFiles.Load(modelPath);
        var size = ModelFiles.ImageSize(model, modelPath, batchSize);
        var (crop, pad) = model.ImageResize.ToAspectRatioFlags();   // as the model's training images were
        ImageDataset data = ImageDataset.FromDirectory(dataDir, size, batchSize, shuffle: false, onError: onError,   // unreadable files: CommandRunner
                                                       cropToAspectRatio: crop, padToAspectRatio: pad);
        IReadOnlyList<string> modelClasses = ModelFiles.ClassNames(model, model.Outputs[0].Shape[^1]);
        int[] toModel = ClassMap(data.ClassNames!, modelClasses);
        int k = modelClasses.Count;
        var (confusion, accuracy, images, nonFinite) = Evaluation.Run(model, data, k, toModel);
        if (images == 0) throw new CliException("none of the folder's images could be read, so nothing was evaluated.");
        if (nonFinite > 0)
            Console.Error.WriteLine($"tanuki: warning: the model predicted NaN or infinite values for {nonFinite} of {images} images; they count as wrong.");
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(Report(confusion, accuracy, images, nonFinite, modelClasses), CliJson.Default.EvaluationReport));
            OnError.Summarize(data.SkippedFiles, null, Console.Error);
            return Program.Ok;
        }
        var present = data.ClassNames!.ToHashSet();
        string subset = present.Count < k ? $" of {present.Count} of the model's {k} classes" : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy: {accuracy:0.0000} ({images} images{subset})"));
        Console.WriteLine(ConfusionText.Format(confusion, modelClasses));
        OnError.Summarize(data.SkippedFiles, null, Console.Error);
        return Program.Ok;
    }

    /// <summary>What <c>--json</c> prints: the counts of <see cref="Evaluation.Run"/> with their classes.</summary>
    internal static EvaluationReport Report(int[,] confusion, double accuracy, long images, long nonFinite, IReadOnlyList<string> classes)
    {
        int k = classes.Count;
        int[][] matrix = Enumerable.Range(0, k).Select(r => Enumerable.Range(0, k).Select(c => confusion[r, c]).ToArray()).ToArray();
        var perClass = Enumerable.Range(0, k).Select(r =>
        {
            int total = matrix[r].Sum();
            return new ClassAccuracy(classes[r], total, matrix[r][r], total == 0 ? null : matrix[r][r] / (double)total);
        }).ToArray();
        return new EvaluationReport(accuracy, images, classes, perClass, matrix, nonFinite);
    }

    /// <summary>
    /// For each of the folder's classes, the model's output index of that name. The folder may hold some of the
    /// model's classes (a test set without every class); a class the model does not know is an error that names it.
    /// </summary>
    internal static int[] ClassMap(IReadOnlyList<string> folder, IReadOnlyList<string> model)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < model.Count; i++) index.TryAdd(model[i], i);
        string[] unknown = folder.Where(c => !index.ContainsKey(c)).ToArray();
        if (unknown.Length > 0)
            throw new CliException($"the folder's class{(unknown.Length == 1 ? "" : "es")} {string.Join(", ", unknown.Select(c => $"'{c}'"))} " +
                                   $"{(unknown.Length == 1 ? "is" : "are")} not among the model's ({string.Join(", ", model)}). Evaluate on subfolders named as " +
                                   "the classes the model was trained on (all of them, or some).");
        return folder.Select(c => index[c]).ToArray();
    }
}
