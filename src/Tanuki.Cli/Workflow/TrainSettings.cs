namespace Tanuki.Cli.Workflow;

/// <summary>The two-stage transfer-learning workflow's settings, as <c>tanuki train</c> takes them.</summary>
internal sealed record TrainSettings
{
    /// <summary>The bases there are: the pretrained ImageNet ResNet-18, or the same network from random weights.</summary>
    public static readonly string[] Bases = ["resnet18", "scratch"];

    public string Base { get; init; } = "resnet18";
    public int ImageSize { get; init; } = 160;
    public int Epochs { get; init; } = 50;
    public int FineTuneEpochs { get; init; } = 8;
    public string Unfreeze { get; init; } = "all";
    public double LearningRate { get; init; } = 1e-3;
    public double FineTuneLearningRate { get; init; } = 1e-4;
    public int BatchSize { get; init; } = 32;
    public double ValidationSplit { get; init; } = 0.2;
    public IReadOnlyList<string> Augment { get; init; } = ["flip"];
    public int Seed { get; init; } = 1;
    public int Patience { get; init; } = 5;
    public double Dropout { get; init; } = 0.2;
    public int Verbose { get; init; } = 1;

    /// <summary>The largest learning rate taken: Adam's steps are about this size, and a larger one destroys pretrained weights in one step.</summary>
    public const double MaxLearningRate = 1;

    private static void CheckLearningRate(string option, double value, string usual)
    {
        if (!double.IsFinite(value) || !(value > 0) || value > MaxLearningRate)
            throw new CliException($"{option} must be a number in (0, {MaxLearningRate}]: Adam moves each weight by about the learning rate per step, so a larger one " +
                                   $"makes the weights diverge to NaN. Received: {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}. Usual: {usual}.");
    }

    /// <summary>Checks what can be checked before any work; throws <see cref="CliException"/> naming the option and the fix.</summary>
    public void Validate()
    {
        if (!Bases.Contains(Base))
            throw new CliException($"unknown base '{Base}'. Choose one of: {string.Join(", ", Bases)} (resnet18: ImageNet-pretrained ResNet-18; scratch: the same network from random weights).");
        if (ImageSize < 32)
            throw new CliException($"--image-size {ImageSize} is too small: ResNet-18 halves the size five times, so it needs at least 32 (96 or 160 are good choices).");
        if ((long)ImageSize * ImageSize > Data.ImageDataset.MaxImagePixels)
            throw new CliException($"--image-size {ImageSize} makes images of {(long)ImageSize * ImageSize / 1e6:0.#} megapixels, more than the largest Tanuki makes " +
                                   $"({Data.ImageDataset.MaxImagePixels / 1e6:0.#} megapixels, ImageDataset.MaxImagePixels). ResNet-18 was trained at 224; 160 or 224 are good choices.");
        if (ImageSize % 32 != 0)
            throw new CliException($"--image-size {ImageSize} must be a multiple of 32 (64, 96, 128, 160, 224): this ResNet-18's residual additions need even sizes at every stage.");
        if (Epochs < 1) throw new CliException($"--epochs must be at least 1. Received: {Epochs}");
        if (FineTuneEpochs < 0) throw new CliException($"--fine-tune-epochs cannot be negative. Received: {FineTuneEpochs}");
        if (FineTuneEpochs > 0 && Base == "scratch")
            throw new CliException("--fine-tune-epochs needs a pretrained base to unfreeze, but the 'scratch' base has no frozen stage: all of it trains from the start. " +
                                   "Use --epochs alone with --base scratch, or --base resnet18 to fine-tune.");
        if (Patience < 0) throw new CliException($"--patience cannot be negative (0 turns early stopping off). Received: {Patience}");
        if (BatchSize < 1) throw new CliException($"--batch-size must be at least 1. Received: {BatchSize}");
        if (!(ValidationSplit >= 0 && ValidationSplit < 1)) throw new CliException($"--validation-split must be in [0, 1). Received: {ValidationSplit}");
        CheckLearningRate("--lr", LearningRate, "1e-3");
        CheckLearningRate("--fine-tune-lr", FineTuneLearningRate, "1e-4");
        foreach (string a in Augment)
            if (!TransferModel.Augmentations.Contains(a))
                throw new CliException($"--augment: unknown augmentation '{a}'. Choose from: {string.Join(", ", TransferModel.Augmentations)}, or 'none'.");
        bool isFraction = double.TryParse(Unfreeze, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double fraction);
        if (isFraction && !(fraction > 0 && fraction <= 1))
            throw new CliException($"--unfreeze {Unfreeze}: a fraction of the base must be in (0, 1]; 0.3 unfreezes its last 30% of layers, 1 all of it.");
        if (Unfreeze != "all" && !isFraction
            && !Unfreeze.StartsWith("stage", StringComparison.Ordinal) && !Unfreeze.StartsWith("conv1", StringComparison.Ordinal))
            throw new CliException($"--unfreeze '{Unfreeze}' is not understood. Use 'all', a fraction of the base such as 0.3, or a layer name prefix such as stage4 or stage5_block2.");
    }
}
