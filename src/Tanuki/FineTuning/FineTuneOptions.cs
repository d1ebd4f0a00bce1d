using Tanuki.Callbacks;
using Tanuki.Optimizers;

namespace Tanuki;

/// <summary>
/// The knobs of <see cref="Model.FineTune(Layer, Data.Dataset, Data.Dataset?, FineTuneOptions?, CancellationToken)"/>. The defaults make
/// the choices that fit a few dozen to a few thousand images, measured in <c>benchmarks/fewshot</c> and
/// <c>benchmarks/accuracy</c>: classes balanced by weight; a head that is one Dense layer fitted as a regularised
/// logistic regression on cached features of each image and augmented views of it, its penalty chosen by stratified
/// 5-fold cross-validation; a mirror-image average at prediction where cross-validation prefers it; then fine-tuning
/// of the whole base with Adam at 1e-4 on a cosine over 8 epochs, BatchNormalization in inference mode, kept only
/// when it beats the frozen-base model on held-out images by more than the comparison's standard error.
/// </summary>
public sealed class FineTuneOptions
{
    /// <summary>
    /// How stage 1 trains the head: <c>"auto"</c> (the default) fits a head that is a single Dense layer on the frozen
    /// features as a logistic regression (L-BFGS, penalty by cross-validation) and trains any other head with
    /// <c>Fit</c>; <c>"logistic"</c> requires the former; <c>"fit"</c> always uses <c>Fit</c> for
    /// <see cref="HeadEpochs"/> with the compiled optimizer.
    /// </summary>
    public string Head { get; init; } = "auto";

    /// <summary>Stage 1 with <c>Fit</c>: epochs training the head with the base frozen (at most, with <see cref="HeadPatience"/>). 0 skips stage 1.</summary>
    public int HeadEpochs { get; init; } = 50;

    /// <summary>Stage 1 with <c>Fit</c> ends early after this many epochs without improvement of <see cref="Monitor"/>; null runs all <see cref="HeadEpochs"/>.</summary>
    public int? HeadPatience { get; init; }

    /// <summary>Folds of the cross-validation that picks the logistic head's penalty (fewer when a data set is tiny).</summary>
    public int CrossValidationFolds { get; init; } = 5;

    /// <summary>
    /// Views of each training image whose frozen features the logistic head trains on: the image, its mirror image,
    /// then random crops. Null (the default) picks 6 for up to 2,000 images and 2 above; 1 turns augmentation off.
    /// Images only (N×C×H×W inputs); other inputs have one view.
    /// </summary>
    public int? AugmentedViews { get; init; }

    /// <summary>
    /// Weight every class equally in the loss (Keras's <c>class_weight</c> with n / (classes × count)), so that a
    /// class with few images is not drowned by a large one. True by default.
    /// </summary>
    public bool BalanceClasses { get; init; } = true;

    /// <summary>
    /// <c>"auto"</c> (the default): average predictions over each image and its mirror image when cross-validation
    /// scores it better; <c>"flip"</c>: always; <c>"none"</c>: never. Sets <see cref="Model.TestTimeAugmentation"/>.
    /// </summary>
    public string TestTimeAugmentation { get; init; } = "auto";

    /// <summary>Stage 2: epochs fine-tuning with the base (partly) unfrozen (at most, with <see cref="FineTunePatience"/>). 0 skips stage 2.</summary>
    public int FineTuneEpochs { get; init; } = 8;

    /// <summary>Stage 2 ends early after this many epochs without improvement of <see cref="Monitor"/>; null runs all <see cref="FineTuneEpochs"/>.</summary>
    public int? FineTunePatience { get; init; }

    /// <summary>
    /// Without validation data, the fraction of the training images (stratified) held out to judge fine-tuning:
    /// stage 2 trains on the rest and is kept only if it beats the frozen-base head on them. The final frozen-base
    /// head trains on all images.
    /// </summary>
    public double FineTuneValidationSplit { get; init; } = 0.2;

    /// <summary>
    /// Fine-tuning is skipped when fewer held-out images than this would judge it: so few cannot tell a gain from
    /// noise (a gain must exceed the comparison's standard error). 30 by default.
    /// </summary>
    public int FineTuneMinimumValidation { get; init; } = 30;

    /// <summary>
    /// <c>"auto"</c> (the default): keep the fine-tuned model only when its validation accuracy beats the frozen-base
    /// model's by more than one standard error of the paired difference, else go back to the frozen-base model;
    /// <c>"always"</c>: keep it unless its weights are not finite.
    /// </summary>
    public string KeepFineTuning { get; init; } = "auto";

    /// <summary>
    /// When fine-tuning won on images held out of the training data, run it again from the frozen-base model on all
    /// the training images (twice the time of stage 2; the held-out images are a fifth of the data by default). True
    /// by default. No effect with validation data, where stage 2 trains on all the training images already.
    /// </summary>
    public bool RefitOnAllData { get; init; } = true;

    /// <summary>
    /// What to unfreeze in stage 2: <c>"all"</c> (the default), a fraction of the base's layers holding weights
    /// counted from the top (<c>"0.3"</c>), or a layer name or name prefix to unfreeze from (<c>"stage4"</c>).
    /// </summary>
    public string Unfreeze { get; init; } = "all";

    /// <summary>Stage 2's (starting) learning rate for the default optimizer, Adam (the guide uses 1e-5).</summary>
    public double FineTuneLearningRate { get; init; } = 1e-4;

    /// <summary>
    /// Stage 2's learning-rate schedule: <c>"cosine"</c> (the default) decays it from its starting value towards 0 over
    /// <see cref="FineTuneEpochs"/> (half a cosine, per epoch); <c>"constant"</c> keeps it.
    /// </summary>
    public string Schedule { get; init; } = "cosine";

    /// <summary>Stage 2's optimizer instead of <c>new Adam(FineTuneLearningRate)</c>; its state is reset before stage 2.</summary>
    public Optimizer? FineTuneOptimizer { get; init; }

    /// <summary>
    /// Discriminative rates in stage 2: the base's weights train at this multiple of the rate (e.g. 0.1), the head at
    /// the rate itself. 1 (the default) trains everything at one rate.
    /// </summary>
    public double BaseLearningRateMultiplier { get; init; } = 1;

    /// <summary>
    /// False (the default) keeps every BatchNormalization of the base in inference mode in stage 2: those pinned to
    /// inference by <c>baseModel.Call(x, training: false)</c> are unfrozen (their gamma and beta train, their
    /// statistics stay), as in the Keras guide; any other would normalize with batch statistics, so it stays frozen.
    /// True unfreezes them all: unpinned ones then use batch statistics and update their moving statistics.
    /// </summary>
    public bool TrainBatchNorm { get; init; }

    /// <summary>
    /// With <see cref="HeadPatience"/> or <see cref="FineTunePatience"/>: put back the weights of the best epoch of
    /// <see cref="Monitor"/> when a stage stops early. True by default.
    /// </summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>The quantity early stopping watches; null: <c>val_loss</c> with validation data, else <c>loss</c>.</summary>
    public string? Monitor { get; init; }

    /// <summary>Seed of the folds, the held-out images and the augmented views.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>More callbacks, used in both stages (a <see cref="CsvLogger"/> needs <c>append: true</c> to keep stage 1's rows).</summary>
    public IReadOnlyList<Callback> Callbacks { get; init; } = [];

    /// <summary>Whether the tensor overload reshuffles the training data at each epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>0 silent, 1 progress bar, 2 one line per epoch (as <c>Fit</c>); above 0 also prints every choice the recipe makes.</summary>
    public int Verbose { get; init; } = 1;

    /// <summary>Where stage messages and both stages' progress bars go (null: the console).</summary>
    public TextWriter? Output { get; init; }

    /// <summary>
    /// Receives every choice and stage message (whatever <see cref="Verbose"/> is) and, from both stages' <c>Fit</c>,
    /// one entry per epoch (see <see cref="FitOptions.Logger"/>).
    /// </summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }

    /// <summary>
    /// Receives the progress of the stages that train with <c>Fit</c>: <see cref="FitProgress.Stage"/> is <c>"head"</c>
    /// (stage 1 with <c>Head = "fit"</c> or a head that is not one Dense layer) or <c>"fine-tuning"</c> (stage 2, and its refit).
    /// </summary>
    public IProgress<FitProgress>? Progress { get; init; }
}
