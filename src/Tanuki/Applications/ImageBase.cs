using Tanuki.Layers;

namespace Tanuki.Applications;

/// <summary>
/// A pretrained image model to build a classifier on: what the fine-tuning recipe, <c>tanuki train</c> and the
/// report need to know of it — how to create it, how images must be prepared for it (as a layer, so a saved model
/// prepares its own inputs), the sizes it takes, how wide its features are, and its blocks for unfreezing.
/// <see cref="ResNet18"/> is one; adding a named base is one more subclass.
/// </summary>
public abstract class ImageBase
{
    /// <summary>The ImageNet ResNet-18 (CNTK's, from the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18).</summary>
    public static ImageBase ResNet18 { get; } = new ResNet18Base();

    /// <summary>The named bases, by the name <c>tanuki train --base</c> takes.</summary>
    public static IReadOnlyDictionary<string, ImageBase> Named { get; } = new Dictionary<string, ImageBase> { ["resnet18"] = ResNet18 };

    /// <summary>The preprocessing names <see cref="FromOnnx"/> takes.</summary>
    public static IReadOnlyList<string> Preprocessings { get; } = ["imagenet", "inception", "unit", "none"];

    /// <summary>
    /// Any ONNX image classifier as a base (one exported from torchvision or timm, the ONNX model zoo, Hugging Face):
    /// imported as ordinary layers that freeze and train one by one, and cut before its classifier.
    /// </summary>
    /// <param name="path">The .onnx file: one input of RGB images N×3×H×W.</param>
    /// <param name="preprocessing">What its weights expect of images given in 0–255: <c>"imagenet"</c> (to 0–1, then
    /// ImageNet's per-channel mean and standard deviation: torchvision and timm), <c>"inception"</c> (−1 to 1),
    /// <c>"unit"</c> (0–1) or <c>"none"</c> (0–255 as they are). It becomes a layer of the classifier, so a saved model
    /// prepares its own inputs.</param>
    /// <param name="output">The tensor to cut at (the features before the classifier); by default the input of the
    /// fully connected layer the graph ends with.</param>
    /// <param name="nativeSize">The image size it was trained at; by default the file's input size, else 224.</param>
    /// <exception cref="ArgumentException">The file is not an image model, or where to cut cannot be found (the message lists its last tensors).</exception>
    public static ImageBase FromOnnx(string path, string preprocessing = "imagenet", string? output = null, int? nativeSize = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No ONNX model at '{path}'.", path);
        Guard.OneOf(preprocessing, Preprocessings);
        return new OnnxImageBase(path, preprocessing, output, nativeSize);
    }

    /// <summary>A short name ("resnet18").</summary>
    public abstract string Name { get; }

    /// <summary>What it is and where its weights come from, for logs and reports.</summary>
    public abstract string Description { get; }

    /// <summary>The image size it was trained at, the recipe's default.</summary>
    public abstract int NativeSize { get; }

    /// <summary>The smallest height and width it takes.</summary>
    public abstract int MinimumSize { get; }

    /// <summary>Heights and widths must be multiples of this (1: any size).</summary>
    public abstract int SizeMultiple { get; }

    /// <summary>Channels of the features it ends with (what the head sees after pooling).</summary>
    public abstract int FeatureWidth { get; }

    /// <summary>The names of its blocks, in order, for <see cref="Layer.Unfreeze(string)"/> ("stage4" unfreezes from there on).</summary>
    public abstract IReadOnlyList<string> Blocks { get; }

    /// <summary>
    /// Creates the base for <paramref name="height"/>×<paramref name="width"/> RGB images prepared by
    /// <see cref="CreatePreprocessing"/>: its output is a feature map N×F×h×w or pooled features N×F.
    /// </summary>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="pretrained">False: the same architecture from random weights.</param>
    public abstract Model Create(int height, int width, bool pretrained = true);

    /// <summary>A layer that turns N×3×H×W RGB images in 0–255 into what the base takes.</summary>
    public abstract Layer CreatePreprocessing();

    /// <summary>Null if the base takes <paramref name="size"/>×<paramref name="size"/> images, else why not and what to use instead.</summary>
    public virtual string? CheckSize(int size)
    {
        if (size < MinimumSize) return $"{size} is too small: {Name} needs at least {MinimumSize} ({NativeSize}, its native size, is best).";
        if (size % SizeMultiple != 0)
            return $"{size} must be a multiple of {SizeMultiple} for {Name}, such as {2 * SizeMultiple}, {3 * SizeMultiple}, {4 * SizeMultiple}, {5 * SizeMultiple} " +
                   $"or {NativeSize} (its native size).";
        return null;
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private sealed class ResNet18Base : ImageBase
    {
        public override string Name => "resnet18";

        public override string Description => "ResNet-18 with ImageNet weights (NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1, MIT)";

        public override int NativeSize => Applications.ResNet18.DefaultSize;

        public override int MinimumSize => Applications.ResNet18.MinimumSize;

        public override int SizeMultiple => 32;

        public override int FeatureWidth => 512;

        public override IReadOnlyList<string> Blocks { get; } = ["conv1", "stage2", "stage3", "stage4", "stage5"];

        public override Model Create(int height, int width, bool pretrained = true) =>
            Applications.ResNet18.Create(pretrained ? "imagenet" : null, includeTop: false, inputShape: [3, height, width]);

        public override Layer CreatePreprocessing() => new ResNet18Preprocessing(name: "preprocess");
    }
}
