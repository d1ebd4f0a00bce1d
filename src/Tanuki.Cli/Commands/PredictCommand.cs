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
        var json = new Option<bool>("--json") { Description = "Print JSON (one object per image) instead of text." };
        var cmd = new Command("predict", "Classify images with a trained model: the most likely classes and their probabilities.") { model, input, top, json };
        cmd.SetAction(parse => CommandRunner.Run(() => Execute(parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(top), parse.GetValue(json))));
        return cmd;
    }

    private static int Execute(string modelPath, string input, int top, bool json)
    {
        if (top < 1) throw new CliException($"--top must be at least 1. Received: {top}");
        ModelFiles.Check(modelPath);
        string[] files = File.Exists(input)
            ? [input]
            : Directory.Exists(input)
                ? Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Where(ImageDataset.IsImageFile).Order(StringComparer.Ordinal).ToArray()
                : throw new CliException($"'{input}' is neither an image file nor a folder.");
        if (files.Length == 0) throw new CliException($"folder '{input}' holds no images (.jpg, .jpeg, .png, .bmp, .gif, .webp).");
        Model model = ModelFiles.Load(modelPath);
        var size = ModelFiles.ImageSize(model);
        IReadOnlyList<string> classes = ModelFiles.ClassNames(model, model.Outputs[0].Shape[^1]);
        int k = Math.Min(top, classes.Count);
        var inference = new Tanuki.Inference.InferencePass(model, files.Length);   // the model's inference engine, told how many images are coming
        foreach (string file in files)
        {
            using var scope = NewDisposeScope();
            Tensor image = ImageDataset.LoadImage(file, size);
            Tensor probs = inference.Run(image.unsqueeze(0)).softmax(-1).squeeze(0).cpu();
            var (values, indexes) = probs.topk(k);
            float[] p = values.data<float>().ToArray();
            long[] idx = indexes.data<long>().ToArray();
            if (json)
            {
                var result = new { file, predictions = idx.Select((c, i) => new { @class = classes[(int)c], probability = Math.Round(p[i], 6) }) };
                Console.WriteLine(JsonSerializer.Serialize(result));
            }
            else
            {
                Console.WriteLine($"{file}: " + string.Join(", ", idx.Select((c, i) => $"{classes[(int)c]} {p[i].ToString("0.000", CultureInfo.InvariantCulture)}")));
            }
        }
        return Program.Ok;
    }
}
