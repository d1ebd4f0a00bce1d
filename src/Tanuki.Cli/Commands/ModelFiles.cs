namespace Tanuki.Cli.Commands;

/// <summary>Loads a model file for the verbs that take one, with errors that say what to do.</summary>
internal static class ModelFiles
{
    public static Model Load(string path)
    {
        Check(path);
        return Model.Load(path);   // a damaged or foreign file throws ModelFileException, reported as bad input
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

    /// <summary>The (height, width) a model's first input takes.</summary>
    public static (int Height, int Width) ImageSize(Model model)
    {
        long[] shape = model.Inputs.Count > 0 ? model.Inputs[0].Shape : [];
        if (shape.Length != 4 || shape[2] <= 0 || shape[3] <= 0)
            throw new CliException($"model '{model.Name}' does not take fixed-size images (its input shape is {string.Join("x", shape)}).");
        return ((int)shape[2], (int)shape[3]);
    }

    public static IReadOnlyList<string> ClassNames(Model model, long outputs) =>
        model.ClassNames ?? Enumerable.Range(0, (int)outputs).Select(i => $"class {i}").ToList();
}
