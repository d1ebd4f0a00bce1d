using System.Globalization;
using Tanuki.Applications;
using Tanuki.Data;
using Tanuki.FineTuning;

namespace Tanuki.Cli.Workflow;

/// <summary>
/// <c>tanuki train</c>'s options. The recipe's own defaults come from the library (<see cref="FineTuneOptions"/>,
/// <see cref="TransferModel"/>); this only maps the command line onto them and checks what can be checked first.
/// </summary>
internal sealed record TrainSettings
{
    private static readonly FineTuneOptions Library = new();

    /// <summary>The named bases: the pretrained ones, or ResNet-18's architecture from random weights (any .onnx file is a base too).</summary>
    public static IReadOnlyList<string> Bases => [.. ImageBase.Named.Keys, "scratch"];

    private ImageBase? _imageBase;

    /// <summary>How images of other shapes become squares: pad (measured best on cut-outs of every shape) by default.</summary>
    public static readonly string[] ResizeModes = ["pad", "squash", "crop"];

    public string Base { get; init; } = "resnet18";
    /// <summary>With an .onnx base: what its weights expect of 0–255 images.</summary>
    public string Preprocessing { get; init; } = "imagenet";
    /// <summary>With an .onnx base: the tensor to cut at; null: before its classifier.</summary>
    public string? BaseOutput { get; init; }
    /// <summary>Null: the base's native size.</summary>
    public int? ImageSize { get; init; }
    public string Resize { get; init; } = "pad";
    /// <summary>Epochs of training from scratch (--base scratch); a pretrained base's head is fitted to convergence.</summary>
    public int Epochs { get; init; } = 30;
    public int FineTuneEpochs { get; init; } = Library.FineTuneEpochs;
    public string Unfreeze { get; init; } = Library.Unfreeze;
    public double LearningRate { get; init; } = 1e-3;
    public double FineTuneLearningRate { get; init; } = Library.FineTuneLearningRate;
    public int BatchSize { get; init; } = 32;
    /// <summary>0: no validation set; the recipe cross-validates the head and holds out what it needs to judge fine-tuning.</summary>
    public double ValidationSplit { get; init; }
    public IReadOnlyList<string> Augment { get; init; } = ["flip"];
    public bool Balance { get; init; } = Library.BalanceClasses;
    public string TestTimeAugmentation { get; init; } = Library.TestTimeAugmentation;
    public string KeepFineTuning { get; init; } = Library.KeepFineTuning;
    public int Seed { get; init; } = 1;
    public int Patience { get; init; }
    /// <summary>Keras's dtype policy for the training steps: <c>float32</c> or <c>mixed_bfloat16</c> (<see cref="Tanuki.TrainingPrecision"/>).</summary>
    public string TrainingPrecision { get; init; } = "float32";
    public static readonly string[] TrainingPrecisions = ["float32", "mixed_bfloat16"];
    public Tanuki.TrainingPrecision Precision => TrainingPrecision == "mixed_bfloat16" ? Tanuki.TrainingPrecision.MixedBFloat16 : Tanuki.TrainingPrecision.Float32;
    public double Dropout { get; init; } = 0.2;
    public int Verbose { get; init; } = 1;

    public bool Pretrained => Base != "scratch";

    public bool IsOnnx => Base.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>The base: a named one, or the .onnx file read once (a bad file is a <see cref="CliException"/>).</summary>
    public ImageBase ImageBase => _imageBase ??= IsOnnx ? ReadOnnx() : ImageBase.Named[Pretrained ? Base : "resnet18"];

    private ImageBase ReadOnnx()
    {
        try
        {
            return ImageBase.FromOnnx(Base, Preprocessing, BaseOutput);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or NotSupportedException or FileNotFoundException)
        {
            throw new CliException($"--base {Base}: {e.Message}");
        }
    }

    /// <summary>The image size used: the option, or the base's native size.</summary>
    public int Size => ImageSize ?? ImageBase.NativeSize;

    public ResizeMode ResizeMode => Resize switch { "squash" => ResizeMode.Squash, "crop" => ResizeMode.Crop, _ => ResizeMode.Pad };

    /// <summary>The library recipe's options for these settings.</summary>
    public FineTuneOptions ToFineTuneOptions(TextWriter log, IReadOnlyList<Tanuki.Callbacks.Callback> callbacks) => new()
    {
        FineTuneEpochs = FineTuneEpochs, Unfreeze = Unfreeze, FineTuneLearningRate = FineTuneLearningRate, BalanceClasses = Balance,
        TestTimeAugmentation = TestTimeAugmentation, KeepFineTuning = KeepFineTuning, Seed = Seed,
        FineTunePatience = Patience > 0 ? Patience : null, Monitor = Patience > 0 ? "val_accuracy" : null, Verbose = Verbose, Output = log, Callbacks = callbacks,
    };

    /// <summary>Checks what can be checked before any work; throws <see cref="CliException"/> naming the option and the fix.</summary>
    public void Validate()
    {
        if (IsOnnx && !File.Exists(Base))
            throw new CliException($"--base {Base}: no such file. Give the path of an ONNX image classifier (e.g. exported with torch.onnx.export from torchvision).");
        if (!IsOnnx && !Bases.Contains(Base))
            throw new CliException($"unknown base '{Base}'. Choose one of: {string.Join(", ", Bases)} (resnet18: ImageNet-pretrained ResNet-18; scratch: the same network from random weights), or the path of an .onnx image model.");
        if (!ImageBase.Preprocessings.Contains(Preprocessing))
            throw new CliException($"--preprocessing '{Preprocessing}' is not understood. Choose {string.Join(", ", ImageBase.Preprocessings)} (imagenet for torchvision and timm models).");
        if (ImageSize is int size && ImageBase.CheckSize(size) is string problem)
            throw new CliException($"--image-size {problem}");
        if (!ResizeModes.Contains(Resize))
            throw new CliException($"--resize '{Resize}' is not understood. Choose pad (fit the whole image, fill the rest with white), squash (stretch) or crop (cut to a square).");
        if ((long)Size * Size > Data.ImageDataset.MaxImagePixels)
            throw new CliException($"--image-size {Size} makes images of {(long)Size * Size / 1e6:0.#} megapixels, more than the largest Tanuki makes " +
                                   $"({Data.ImageDataset.MaxImagePixels / 1e6:0.#} megapixels, ImageDataset.MaxImagePixels). {ImageBase.Name}'s native size is {ImageBase.NativeSize}.");
        if (Epochs < 1) throw new CliException($"--epochs must be at least 1. Received: {Epochs}");
        if (FineTuneEpochs < 0) throw new CliException($"--fine-tune-epochs cannot be negative. Received: {FineTuneEpochs}");
        if (FineTuneEpochs > 0 && !Pretrained)
            throw new CliException("--fine-tune-epochs needs a pretrained base to unfreeze, but the 'scratch' base has no frozen stage: all of it trains from the start. " +
                                   "Use --epochs alone with --base scratch, or --base resnet18 to fine-tune.");
        if (Patience < 0) throw new CliException($"--patience cannot be negative (0 turns early stopping off). Received: {Patience}");
        if (BatchSize < 1) throw new CliException($"--batch-size must be at least 1. Received: {BatchSize}");
        if (!(ValidationSplit >= 0 && ValidationSplit < 1)) throw new CliException($"--validation-split must be in [0, 1). Received: {ValidationSplit}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate) || LearningRate > 10) throw new CliException($"--lr must be a positive number up to 10. Received: {LearningRate.ToString(CultureInfo.InvariantCulture)}");
        if (!(FineTuneLearningRate > 0) || double.IsInfinity(FineTuneLearningRate) || FineTuneLearningRate > 10)
            throw new CliException($"--fine-tune-lr must be a positive number up to 10. Received: {FineTuneLearningRate.ToString(CultureInfo.InvariantCulture)}");
        foreach (string a in Augment)
            if (!TransferModel.Augmentations.Contains(a))
                throw new CliException($"--augment: unknown augmentation '{a}'. Choose from: {string.Join(", ", TransferModel.Augmentations)}, or 'none'.");
        if (!new[] { "auto", "flip", "none" }.Contains(TestTimeAugmentation))
            throw new CliException($"--tta '{TestTimeAugmentation}' is not understood. Choose auto (chosen by cross-validation), flip or none.");
        if (!TrainingPrecisions.Contains(TrainingPrecision))
            throw new CliException($"--training-precision '{TrainingPrecision}' is not understood. Choose float32 or mixed_bfloat16 (convolutions in bfloat16 while training: faster on CPUs with AVX-512 BF16 or AMX).");
        if (!new[] { "auto", "always" }.Contains(KeepFineTuning))
            throw new CliException($"--keep-fine-tuning '{KeepFineTuning}' is not understood. Choose auto (only when it beats the frozen base) or always.");
    }
}
