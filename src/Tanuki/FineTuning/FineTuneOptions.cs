using Tanuki.Callbacks;
using Tanuki.Optimizers;

namespace Tanuki;

/// <summary>
/// The knobs of <see cref="Model.FineTune(Layer, Data.Dataset, Data.Dataset?, FineTuneOptions?)"/>. The defaults
/// are the Keras guide's recipe, tuned by measurement: train the head with the base frozen (50 epochs, nearly free
/// because the frozen base runs once per sample), then unfreeze the whole base and train everything with Adam at
/// 1e-4 decaying to 0 on a cosine over 8 epochs, BatchNormalization in inference mode. The guide's constant 1e-5 for
/// 5 epochs barely moves a base on a small data set: on 1,000 Fashion-MNIST images at 96² (benchmarks/Tanuki.Accuracy)
/// it gave 0.834 test accuracy against 0.863 for these defaults; set <see cref="FineTuneLearningRate"/> = 1e-5 and
/// <see cref="Schedule"/> = "constant" for the guide's recipe.
/// </summary>
public sealed class FineTuneOptions
{
    /// <summary>Stage 1: epochs training the head with the base frozen (at most, with <see cref="HeadPatience"/>). 0 skips stage 1.</summary>
    public int HeadEpochs { get; init; } = 50;

    /// <summary>Stage 1 ends early after this many epochs without improvement of <see cref="Monitor"/>; null runs all <see cref="HeadEpochs"/>.</summary>
    public int? HeadPatience { get; init; }

    /// <summary>Stage 2: epochs fine-tuning with the base (partly) unfrozen (at most, with <see cref="FineTunePatience"/>). 0 skips stage 2.</summary>
    public int FineTuneEpochs { get; init; } = 8;

    /// <summary>Stage 2 ends early after this many epochs without improvement of <see cref="Monitor"/>; null runs all <see cref="FineTuneEpochs"/>.</summary>
    public int? FineTunePatience { get; init; }

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
    /// Put back the weights of the best epoch of <see cref="Monitor"/> at the end: the best of each stage, and after
    /// stage 2 the end of stage 1 if fine-tuning never beat it. True by default; it applies when there is validation
    /// data or a <see cref="Monitor"/> is set (an epoch's mean training loss is no measure of its final weights).
    /// </summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>The quantity early stopping and weight restoring watch; null: <c>val_loss</c> with validation data, else <c>loss</c>.</summary>
    public string? Monitor { get; init; }

    /// <summary>More callbacks, used in both stages (a <see cref="CsvLogger"/> needs <c>append: true</c> to keep stage 1's rows).</summary>
    public IReadOnlyList<Callback> Callbacks { get; init; } = [];

    /// <summary>Whether the tensor overload reshuffles the training data at each epoch.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>0 silent, 1 progress bar, 2 one line per epoch (as <c>Fit</c>); above 0 also prints what each stage does.</summary>
    public int Verbose { get; init; } = 1;

    /// <summary>Where stage messages go (null: the console).</summary>
    public TextWriter? Output { get; init; }
}
