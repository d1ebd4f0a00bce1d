using static TorchSharp.torch;

namespace Tanuki.Data;

public abstract partial class Dataset
{
    /// <summary>
    /// Writes every labelled image of the dataset as a PNG file in a subfolder named after its class
    /// (<c>directory/ClassNames[label]/000123.png</c>; the label number when there are no class names) — the layout
    /// <see cref="ImageDataset.FromDirectory"/> reads. Inputs must be images <c>C×H×W</c> (batched or not) with 1, 3
    /// or 4 channels in 0–255; values are rounded to 8 bits. Targets may be integer labels, one-hot vectors or binary
    /// <c>(1)</c> values. Every class gets its folder, even an empty one.
    /// </summary>
    /// <param name="directory">The folder to write into (created if needed); existing files of the same names are replaced.</param>
    /// <returns>The number of images written.</returns>
    public int ExportImageFolder(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var folders = new Dictionary<long, string>();
        string Folder(long label)
        {
            if (folders.TryGetValue(label, out string? f)) return f;
            string name = ClassNames is { } names && label >= 0 && label < names.Count ? names[(int)label] : label.ToString(System.Globalization.CultureInfo.InvariantCulture);
            f = Path.Combine(directory, SafeFolderName(name));
            Directory.CreateDirectory(f);
            return folders[label] = f;
        }
        if (ClassNames is { } all) for (int i = 0; i < all.Count; i++) Folder(i);

        int written = 0;
        foreach (var (x, y) in this)
        {
            using var scope = NewDisposeScope();
            scope.Attach(x);
            scope.Attach(y);
            bool batched = x.dim() == 4;
            if (!batched && x.dim() != 3)
                throw new InvalidOperationException($"ExportImageFolder needs image inputs C×H×W or N×C×H×W; this dataset's inputs have shape {Shapes.Format(x.shape)}.");
            Tensor images = batched ? x : x.unsqueeze(0);
            long[] labels = LabelsOf(batched ? y : y.unsqueeze(0), images.shape[0]);
            for (int i = 0; i < labels.Length; i++)
            {
                ImageEncoder.WritePng(images[i], Path.Combine(Folder(labels[i]), $"{written:D6}.png"));
                written++;
            }
        }
        return written;
    }

    /// <summary>Integer labels from int labels <c>(N)</c>, one-hot <c>(N, K)</c> or binary <c>(N, 1)</c> targets.</summary>
    private static long[] LabelsOf(Tensor y, long n)
    {
        using var scope = NewDisposeScope();
        Tensor labels = y.dim() switch
        {
            1 => y,
            2 when y.shape[1] == 1 => y.squeeze(1).round(),
            2 => y.argmax(1),
            _ => throw new InvalidOperationException($"ExportImageFolder needs class labels as targets (int, one-hot or binary); these have shape {Shapes.Format(y.shape)}."),
        };
        if (labels.shape[0] != n) throw new InvalidOperationException($"The dataset has {n} images but {labels.shape[0]} labels in one element.");
        return labels.to_type(ScalarType.Int64).cpu().data<long>().ToArray();
    }

    private static string SafeFolderName(string name)
    {
        char[] invalid = Path.GetInvalidFileNameChars();
        string safe = new(name.Select(ch => invalid.Contains(ch) || ch == '/' || ch == '\\' ? '_' : ch).ToArray());
        return safe is "" or "." or ".." ? "_" + safe : safe;
    }
}
