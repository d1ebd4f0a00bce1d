using System.Collections.Concurrent;

namespace Tanuki.Data;

public sealed partial class ImageDataset
{
    private static readonly string[] s_labelModes = ["int", "categorical", "binary"];
    private static readonly string[] s_colorModes = ["rgb", "grayscale", "rgba"];
    private static readonly string[] s_onError = ["raise", "skip"];

    /// <summary>
    /// A dataset of the images in <paramref name="directory"/>, one subfolder per class, like
    /// <c>keras.utils.image_dataset_from_directory</c>: class names are the subfolder names in sorted order, labels
    /// their positions. JPEG, PNG, BMP, GIF (first frame) and WebP files are read, in each class's subfolder and
    /// below; other files, and folders whose names start with a dot, are ignored. Images are turned upright by their
    /// EXIF orientation, converted to <paramref name="colorMode"/> (transparency composited onto
    /// <paramref name="background"/>, white by default), resized to <paramref name="imageSize"/>, and batched as
    /// <c>N×C×H×W</c> float32 in 0–255 — rescale in the model (<c>Rescaling</c>, <c>ResNet18.Preprocess</c>). Any image
    /// size is accepted, down to 1×1 (upscaled like any other); images above <see cref="MaxImagePixels"/> are
    /// refused from their header. Every header is read up front, so that an unreadable file fails (or is skipped)
    /// here rather than mid-epoch; a file whose data is damaged past its header fails when it is decoded.
    /// </summary>
    /// <param name="directory">The folder holding one subfolder per class.</param>
    /// <param name="imageSize">(height, width) every image is resized to.</param>
    /// <param name="batchSize">Images per batch; 0 yields single images (Keras's <c>batch_size=None</c>).</param>
    /// <param name="validationSplit">Fraction of the images held out for validation, with <paramref name="subset"/>.</param>
    /// <param name="subset">"training" or "validation" with <paramref name="validationSplit"/>; for both at once use
    /// <see cref="FromDirectoryWithValidation"/>.</param>
    /// <param name="seed">Seed of the shuffles: the training/validation split and each epoch's order.</param>
    /// <param name="labelMode">"int": int64 labels <c>(N)</c>; "categorical": one-hot float32 <c>(N, classes)</c>;
    /// "binary": float32 <c>(N, 1)</c> in {0, 1}, for exactly two classes.</param>
    /// <param name="colorMode">"rgb" (3 channels), "grayscale" (1) or "rgba" (4, alpha kept).</param>
    /// <param name="interpolation">"bilinear" (as tf.image.resize, no antialiasing), "nearest", "bicubic" or "area".</param>
    /// <param name="cropToAspectRatio">Crop the largest centred window of the target aspect ratio before resizing,
    /// instead of stretching.</param>
    /// <param name="onError">"raise": an unreadable image (empty, truncated, not an image, too large) is an error
    /// naming the file; "skip": it is left out and logged to standard error and <see cref="SkippedFiles"/>.</param>
    /// <param name="shuffle">Shuffle the files (with <paramref name="seed"/>) before splitting, and the training
    /// images at every epoch. Without it the order is sorted, and a validation split takes the last files — the
    /// last classes.</param>
    /// <param name="numParallelCalls">Decoding threads; <see cref="Dataset.Autotune"/>: one per processor.</param>
    /// <param name="background">The colour transparent pixels are composited onto (rgb and grayscale), and padding is
    /// filled with (<paramref name="padToAspectRatio"/>); white when null.</param>
    /// <param name="padToAspectRatio">Pad each image to the target aspect ratio (centred, filled with
    /// <paramref name="background"/>) before resizing, instead of stretching it: nothing is cropped or distorted
    /// (Keras's <c>pad_to_aspect_ratio</c>). Good for cut-outs and objects of every shape.</param>
    /// <param name="followLinks">Whether to enter symbolic links to folders inside the class folders (Keras's
    /// <c>follow_links</c>, false by default); with true, each real folder is walked once (a link back to an ancestor
    /// is skipped, so a loop of links cannot make indexing endless) and each file is counted once, under its own
    /// class folder when it has one. Links to files and linked class folders are always read.</param>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No images, no class subfolders, a single class, an empty class folder,
    /// or an unreadable image (with <c>onError: "raise"</c>).</exception>
    public static ImageDataset FromDirectory(string directory, (int Height, int Width) imageSize, int batchSize = 32,
        double validationSplit = 0, string? subset = null, int seed = 0, string labelMode = "int", string colorMode = "rgb",
        string interpolation = "bilinear", bool cropToAspectRatio = false, string onError = "raise", bool shuffle = true,
        int numParallelCalls = Autotune, (byte R, byte G, byte B)? background = null, bool padToAspectRatio = false, bool followLinks = false)
    {
        if (subset == "both")
            throw new ArgumentException("subset=\"both\" returns two datasets: call ImageDataset.FromDirectoryWithValidation(...), which returns (Training, Validation).", nameof(subset));
        if (subset is not null) Guard.OneOf(subset, ["training", "validation"]);
        if (subset is not null && validationSplit == 0)
            throw new ArgumentException($"subset=\"{subset}\" needs a validationSplit between 0 and 1. Received: validationSplit=0", nameof(validationSplit));
        if (subset is null && validationSplit != 0)
            throw new ArgumentException($"validationSplit={validationSplit} needs subset: \"training\" or \"validation\" (or FromDirectoryWithValidation for both).", nameof(subset));
        var (settings, index, skipped) = Prepare(directory, imageSize, batchSize, validationSplit, seed, labelMode, colorMode,
                                                 interpolation, cropToAspectRatio, padToAspectRatio, onError, numParallelCalls, background, followLinks);
        var (files, labels) = Order(index, shuffle, seed);
        if (subset is not null)
        {
            var (train, val) = SplitFiles(files, labels, validationSplit, index.Directory);
            (files, labels) = subset == "training" ? train : val;
        }
        return new ImageDataset(settings, index.ClassNames, files, labels, reshuffle: shuffle && subset != "validation", skipped);
    }

    /// <summary>
    /// The training and the validation dataset of a folder at once (Keras's <c>subset="both"</c>): the files are
    /// shuffled with <paramref name="seed"/> (when <paramref name="shuffle"/>), the last
    /// <c>floor(validationSplit × count)</c> go to validation, the rest to training — disjoint, and the same for the
    /// same seed. Validation keeps a fixed order; training is reshuffled every epoch. Parameters as in
    /// <see cref="FromDirectory"/>.
    /// </summary>
    public static (ImageDataset Training, ImageDataset Validation) FromDirectoryWithValidation(string directory,
        (int Height, int Width) imageSize, double validationSplit, int batchSize = 32, int seed = 0, string labelMode = "int",
        string colorMode = "rgb", string interpolation = "bilinear", bool cropToAspectRatio = false, string onError = "raise",
        bool shuffle = true, int numParallelCalls = Autotune, (byte R, byte G, byte B)? background = null, bool padToAspectRatio = false, bool followLinks = false)
    {
        if (!(validationSplit > 0 && validationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, $"Expected a fraction strictly between 0 and 1. Received: validationSplit={validationSplit}");
        var (settings, index, skipped) = Prepare(directory, imageSize, batchSize, validationSplit, seed, labelMode, colorMode,
                                                 interpolation, cropToAspectRatio, padToAspectRatio, onError, numParallelCalls, background, followLinks);
        var (files, labels) = Order(index, shuffle, seed);
        var (train, val) = SplitFiles(files, labels, validationSplit, index.Directory);
        return (new ImageDataset(settings, index.ClassNames, train.Files, train.Labels, reshuffle: shuffle, skipped),
                new ImageDataset(settings, index.ClassNames, val.Files, val.Labels, reshuffle: false, skipped));
    }

    private static (Settings, ImageFolderIndex, ConcurrentQueue<(string, string)>) Prepare(string directory, (int Height, int Width) imageSize,
        int batchSize, double validationSplit, int seed, string labelMode, string colorMode, string interpolation, bool cropToAspectRatio,
        bool padToAspectRatio, string onError, int numParallelCalls, (byte R, byte G, byte B)? background, bool followLinks)
    {
        if (cropToAspectRatio && padToAspectRatio)
            throw new ArgumentException("Only one of cropToAspectRatio and padToAspectRatio can be true: crop cuts the image to the target aspect ratio, pad fills around it. Received: both true.", nameof(padToAspectRatio));
        ArgumentNullException.ThrowIfNull(directory);
        if (imageSize.Height <= 0 || imageSize.Width <= 0)
            throw new ArgumentOutOfRangeException(nameof(imageSize), imageSize, $"Expected a positive (height, width). Received: imageSize={imageSize}");
        CheckTargetSize(imageSize, nameof(imageSize));
        if (batchSize < 0)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"Expected a positive batch size, or 0 for single images. Received: batchSize={batchSize}");
        Guard.InRange(validationSplit, 0, 0.999);
        Guard.OneOf(labelMode, s_labelModes);
        Guard.OneOf(colorMode, s_colorModes);
        Guard.OneOf(interpolation, ImageOps.Interpolations);
        Guard.OneOf(onError, s_onError);
        if (numParallelCalls != Autotune && numParallelCalls <= 0)
            throw new ArgumentOutOfRangeException(nameof(numParallelCalls), numParallelCalls, $"Expected a positive number of decoding threads, or Dataset.Autotune. Received: numParallelCalls={numParallelCalls}");
        bool skip = onError == "skip";
        var skipped = new ConcurrentQueue<(string, string)>();
        void Log(string path, string reason) => Skip(skipped, path, reason);

        ImageFolderIndex index = ImageFolderIndex.Scan(directory, skip, Log, followLinks).CheckHeaders(MaxImagePixels, skip, Log);
        if (index.ClassNames.Length == 1)
            throw new InvalidDataException(
                $"'{index.Directory}' has a single class subfolder, '{index.ClassNames[0]}'. A classifier needs at least two classes: with one, " +
                "every label is 0 and the model learns nothing. Add a subfolder for each other class next to it (images of what is not " +
                $"'{index.ClassNames[0]}' count as a class too); if '{index.ClassNames[0]}' itself holds the class folders, pass that folder instead.");
        if (labelMode == "binary" && index.ClassNames.Length != 2)
            throw new ArgumentException(
                $"labelMode=\"binary\" needs exactly 2 classes, but '{index.Directory}' has {index.ClassNames.Length}: " +
                $"{string.Join(", ", index.ClassNames)}. Use labelMode \"int\" or \"categorical\".", nameof(labelMode));
        int workers = numParallelCalls == Autotune ? Math.Max(1, Environment.ProcessorCount) : numParallelCalls;
        var settings = new Settings(imageSize.Height, imageSize.Width, batchSize, seed, labelMode, colorMode, interpolation,
                                    cropToAspectRatio, padToAspectRatio, skip, background ?? (255, 255, 255), workers);
        return (settings, index, skipped);
    }

    /// <summary>The files in sorted order, or shuffled once with the seed.</summary>
    private static (string[] Files, int[] Labels) Order(ImageFolderIndex index, bool shuffle, int seed)
    {
        int[] order = Enumerable.Range(0, index.Files.Length).ToArray();
        if (shuffle) new Random(Seeds.Derive(seed, 0)).Shuffle(order);
        return (order.Select(i => index.Files[i]).ToArray(), order.Select(i => index.Labels[i]).ToArray());
    }

    /// <summary>Keras's split: the last floor(split × n) files are for validation.</summary>
    private static ((string[] Files, int[] Labels) Training, (string[] Files, int[] Labels) Validation) SplitFiles(
        string[] files, int[] labels, double validationSplit, string directory)
    {
        int n = files.Length;
        int val = (int)Math.Floor(validationSplit * n);
        if (val == 0 || val == n)
            throw new ArgumentException($"validationSplit={validationSplit} of the {n} images in '{directory}' leaves {(val == 0 ? "no validation" : "no training")} images.", nameof(validationSplit));
        return ((files[..(n - val)], labels[..(n - val)]), (files[(n - val)..], labels[(n - val)..]));
    }
}
