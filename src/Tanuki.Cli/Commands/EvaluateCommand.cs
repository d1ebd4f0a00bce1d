using System.CommandLine;
using System.Globalization;
using Tanuki.Data;

namespace Tanuki.Cli.Commands;

/// <summary><c>tanuki evaluate MODEL DATA_DIR</c>: accuracy, per-class accuracy and the confusion matrix.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "A .tanuki model file written by 'tanuki train'." };
        var data = new Argument<string>("DATA_DIR") { Description = "A folder with one subfolder of images per class, named as when training." };
        var batch = new Option<int>("--batch-size") { Description = "Images per step.", DefaultValueFactory = _ => 32 };
        var cmd = new Command("evaluate", "Measure a trained model on a folder of labelled images: accuracy, per-class accuracy, confusion matrix.") { model, data, batch };
        cmd.SetAction(parse => CommandRunner.Run(() => Execute(parse.GetValue(model)!, parse.GetValue(data)!, parse.GetValue(batch))));
        return cmd;
    }

    private static int Execute(string modelPath, string dataDir, int batchSize)
    {
        if (batchSize < 1) throw new CliException($"--batch-size must be at least 1. Received: {batchSize}");
        ModelFiles.Check(modelPath);
        if (!Directory.Exists(dataDir)) throw new CliException($"data folder '{dataDir}' does not exist. Give a folder with one subfolder of images per class, as for 'tanuki train'.");
        Model model = ModelFiles.Load(modelPath);
        var size = ModelFiles.ImageSize(model);
        ImageDataset data;
        try
        {
            data = ImageDataset.FromDirectory(dataDir, size, batchSize, shuffle: false, cropToAspectRatio: model.ImageResize == ResizeMode.Crop,
                                              padToAspectRatio: model.ImageResize == ResizeMode.Pad);
        }
        catch (InvalidDataException e) { throw new CliException(e.Message); }
        IReadOnlyList<string> modelClasses = ModelFiles.ClassNames(model, model.Outputs[0].Shape[^1]);
        if (!data.ClassNames!.SequenceEqual(modelClasses))
            throw new CliException($"the folder's classes ({string.Join(", ", data.ClassNames!)}) are not the model's ({string.Join(", ", modelClasses)}). " +
                                   "Evaluate on a folder with the same class subfolders the model was trained on.");
        var (confusion, accuracy) = Evaluation.Run(model, data, modelClasses.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy: {accuracy:0.0000} ({data.FilePaths.Count} images)"));
        Console.WriteLine(ConfusionText.Format(confusion, modelClasses));
        return Program.Ok;
    }
}
