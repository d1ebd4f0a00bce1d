using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Cli.Commands;

/// <summary>Loads a model file for the verbs that take one, with errors that say what to do.</summary>
internal static class ModelFiles
{
    /// <summary>Loads the model; with <paramref name="requireFinite"/>, refuses one whose weights hold NaN or infinities (it predicts nothing).</summary>
    public static Model Load(string path, bool requireFinite = true)
    {
        Check(path);
        Model model = Model.Load(path);   // a damaged or foreign file throws ModelFileException, reported as bad input
        if (requireFinite && NonFiniteWeight(model) is string weight)
            throw new CliException($"model '{path}' holds NaN or infinite values (in weight '{weight}'), so every prediction would be NaN: it was saved " +
                                   "from a training run that diverged. Train it again with a lower learning rate.");
        return model;
    }

    /// <summary>The first weight that is not finite, or null.</summary>
    internal static string? NonFiniteWeight(Model model)
    {
        using var scope = NewDisposeScope();
        foreach (Variable v in model.Weights)
            if (!torch.isfinite(v.Value).all().item<bool>()) return v.Path;
        return null;
    }

    /// <summary>The checks that need no reading: run first, so that swapped arguments are named as such.</summary>
    public static void Check(string path)
    {
        if (Directory.Exists(path))
            throw new CliException($"'{path}' is a folder, not a model file: give the .tanuki file that 'tanuki train' wrote (its --out). The model comes before the images.");
        if (!File.Exists(path))
            throw new CliException($"model file '{path}' does not exist. Train one with 'tanuki train DATA_DIR --out {path}'.");
        if (Data.ImageDataset.IsImageFile(path))
            throw new CliException($"'{path}' is an image, not a model file: give the .tanuki file that 'tanuki train' wrote (its --out). The model comes before the images.");
    }

    /// <summary>
    /// The (height, width) a model's first input takes, checked against what images may be
    /// (<see cref="Data.ImageDataset.MaxImagePixels"/>) and, for <paramref name="batch"/> images at once, against the free memory.
    /// </summary>
    public static (int Height, int Width) ImageSize(Model model, string path, long batch)
    {
        long[] shape = model.Inputs.Count > 0 ? model.Inputs[0].Shape : [];
        if (shape.Length != 4 || shape[2] <= 0 || shape[3] <= 0)
            throw new CliException($"model '{model.Name}' does not take fixed-size images (its input shape is {string.Join("x", shape)}).");
        long pixels = shape[2] * shape[3];
        if (shape[2] > int.MaxValue || shape[3] > int.MaxValue || pixels > Data.ImageDataset.MaxImagePixels)
            throw new CliException($"model '{path}' declares an input of {shape[2]}×{shape[3]} pixels, more than the largest image Tanuki makes " +
                                   $"({Data.ImageDataset.MaxImagePixels / 1e6:0.#} megapixels, ImageDataset.MaxImagePixels): a damaged or crafted file. " +
                                   "It was refused before any image was resized to it.");
        MemoryCheck.Require(MemoryCheck.Inference(model, batch), $"running model '{path}' at {shape[2]}×{shape[3]} on {batch} image{(batch == 1 ? "" : "s")} at once",
                            ratio => batch > 1 ? $"Use a smaller --batch-size (at most {Math.Max(1, (long)(batch / ratio))})." : "The model's input is too large for this machine.");
        return ((int)shape[2], (int)shape[3]);
    }

    /// <summary>The model's class names, or "class i" for each output when it has none.</summary>
    public static IReadOnlyList<string> ClassNames(Model model, long outputs) =>
        model.ClassNames ?? Enumerable.Range(0, (int)outputs).Select(i => $"class {i}").ToList();
}
