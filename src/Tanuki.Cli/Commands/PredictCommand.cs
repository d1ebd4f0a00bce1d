using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Tanuki.Data;
using static TorchSharp.torch;

namespace Tanuki.Cli.Commands;

/// <summary><c>tanuki predict MODEL IMAGE|DIR</c>: the most likely classes of images, with probabilities.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "A .tanuki model file written by 'tanuki train'." };
        var input = new Argument<string>("IMAGE") { Description = "An image file, or a folder whose images (in subfolders too) are all classified." };
        var top = new Option<int>("--top") { Description = "How many classes to show per image.", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Print JSON Lines instead of text: one JSON object per image, one per line, in path order ({\"file\": ..., \"predictions\": [{\"class\": ..., \"probability\": ...}]}; a skipped file: {\"file\": ..., \"error\": ...})." };
        var onError = OnError.Create();
        var cmd = new Command("predict", "Classify images with a trained model: the most likely classes and their probabilities.") { model, input, top, json, onError };
        cmd.SetAction(parse => CommandRunner.Run(() =>
            Execute(parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(top), parse.GetValue(json), OnError.Parse(parse.GetValue(onError)!))));
        return cmd;
    }

    private static int Execute(string modelPath, string input, int top, bool json, string onError)
    {
        if (top < 1) throw new CliException($"--top must be at least 1. Received: {top}");
        ModelFiles.Check(modelPath);
        string[] files = Files(input);
        bool skip = onError == "skip";
        var skipped = new List<(string File, string Reason)>();
        if (!skip) CheckHeaders(files);   // every unreadable file named before any prediction
        Model model = ModelFiles.Load(modelPath);
        ModelFiles.ImageSize(model, modelPath, batch: 1);   // a model that does not take fixed-size images, or asks for too much, is refused here
        IReadOnlyList<string> classes = ModelFiles.ClassNames(model, model.Outputs[0].Shape[^1]);
        int k = Math.Min(top, classes.Count);
        var inference = new Tanuki.Inference.InferencePass(model, files.Length);   // the model's inference engine, told how many images are coming
        foreach (string file in files)
        {
            using var scope = NewDisposeScope();
            Tensor image;
            try { image = ImageDataset.LoadImage(file, model); }   // brought to the model's size as its training images were
            catch (InvalidDataException e) when (skip)
            {
                skipped.Add((file, e.Message));
                Console.WriteLine(json ? JsonSerializer.Serialize(new PredictionLine(file, null, e.Message), CliJson.Default.PredictionLine) : $"{file}: skipped: {e.Message}");
                continue;
            }
            catch (InvalidDataException e) when (files.Length > 1)
            {
                throw new CliException($"{e.Message} (Predictions stopped there; --on-error skip goes on past such files.)");
            }
            Tensor probs = inference.Run(image.unsqueeze(0)).softmax(-1).squeeze(0).cpu();   // with the model's test-time augmentation, as Infer
            var (values, indexes) = probs.topk(k);
            float[] p = values.data<float>().ToArray();
            long[] idx = indexes.data<long>().ToArray();
            if (json)
            {
                var result = new PredictionLine(file, idx.Select((c, i) => new ClassProbability(classes[(int)c], Math.Round(p[i], 6))).ToArray(), null);
                Console.WriteLine(JsonSerializer.Serialize(result, CliJson.Default.PredictionLine));
            }
            else
            {
                Console.WriteLine($"{file}: " + string.Join(", ", idx.Select((c, i) => $"{classes[(int)c]} {p[i].ToString("0.000", CultureInfo.InvariantCulture)}")));
            }
        }
        OnError.Summarize(skipped, files.Length, Console.Error);
        if (skipped.Count == files.Length)
            throw new CliException($"none of the {files.Length} images could be read, so nothing was predicted.");
        return Program.Ok;
    }

    /// <summary>The image itself, or the images of a folder and its subfolders (links to folders are not followed), in path order.</summary>
    private static string[] Files(string input)
    {
        if (File.Exists(input)) return [input];
        if (!Directory.Exists(input)) throw new CliException($"'{input}' is neither an image file nor a folder.");
        string[] files = new FolderWalk(followLinks: false).Plain(input, ImageDataset.IsImageFile).ToArray();
        if (files.Length == 0) throw new CliException($"folder '{input}' holds no images (.jpg, .jpeg, .png, .bmp, .gif, .webp).");
        return files;
    }

    /// <summary>Reads every header (no pixels); with unreadable files, names them all and stops before predicting.</summary>
    private static void CheckHeaders(string[] files)
    {
        var bad = new List<string>();
        foreach (string file in files)
        {
            try { ImageDecoder.ReadHeader(file, ImageDataset.MaxImagePixels); }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException) { bad.Add(e.Message); }
        }
        if (bad.Count == 0) return;
        if (files.Length == 1) throw new CliException(bad[0]);
        throw new CliException($"{bad.Count} of the {files.Length} images cannot be read, so nothing was predicted:\n  " + string.Join("\n  ", bad) +
                               "\nFix or remove them, or use --on-error skip to predict the others.");
    }
}
