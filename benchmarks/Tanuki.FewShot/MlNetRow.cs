using Microsoft.ML;

namespace Tanuki.FewShot;

/// <summary>
/// <c>mlnet</c>: ML.NET's standard image-classification pipeline on the same PNG files, every setting at its default:
/// LoadImages → ResizeImages(224, 224) (its default IsoCrop: the centre square) → ExtractPixels →
/// DnnFeaturizeImage(ResNet18) (the same ONNX ResNet-18 Tanuki imports, with the package's own preprocessing) →
/// MapValueToKey(Label) → LbfgsMaximumEntropy, with a cache checkpoint before the trainer, as ML.NET advises for
/// trainers that pass over the data many times (without it every L-BFGS pass would run the network again).
/// </summary>
public static class MlNetRow
{
    /// <summary>An input row: an image file and its class name.</summary>
    public sealed class ImageRow
    {
        public string ImagePath { get; set; } = "";

        public string Label { get; set; } = "";
    }

    /// <summary>An output row: the predicted class name.</summary>
    public sealed class Prediction
    {
        public string PredictedLabel { get; set; } = "";
    }

    /// <summary>ML.NET's package version.</summary>
    public static string Version { get; } =
        typeof(MLContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "?";

    internal static RowOutcome Run(IRunData data)
    {
        var ml = new MLContext(seed: 1);
        IDataView Load(IEnumerable<(string Path, int Label)> files) =>
            ml.Data.LoadFromEnumerable(files.Select(f => new ImageRow { ImagePath = f.Path, Label = data.ClassNames[f.Label] }).ToList());
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.LoadImages("Image", imageFolder: "", inputColumnName: nameof(ImageRow.ImagePath)))
            .Append(ml.Transforms.ResizeImages("Image", imageWidth: 224, imageHeight: 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features", m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"))
            .AppendCacheCheckpoint(ml)
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(Load(data.TrainFiles));
        IDataView predictions = model.Transform(Load(data.TestFiles));
        var labelOf = data.ClassNames.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i);
        int[] predicted = ml.Data.CreateEnumerable<Prediction>(predictions, reuseRowObject: false).Select(p => labelOf[p.PredictedLabel]).ToArray();
        if (predicted.Length != data.TestLabels.Length)
            throw new InvalidOperationException($"ML.NET predicted {predicted.Length} test images; there are {data.TestLabels.Length}.");
        return new RowOutcome(predicted, Note: "ML.NET " + Version);
    }
}
