using Tanuki.FineTuning;

namespace Tanuki;

/// <summary>What <see cref="Model.FineTune(Layer, Data.Dataset, Data.Dataset?, FineTuneOptions?, CancellationToken)"/> did: both stages' histories, every automatic choice, and the validation that judged fine-tuning.</summary>
public sealed record FineTuneResult
{
    internal FineTuneResult(History stage1, History stage2, IReadOnlyList<Layer> unfrozen, IReadOnlyList<Layer> batchNormKeptFrozen, int? bestEpoch)
    {
        Stage1 = stage1;
        Stage2 = stage2;
        UnfrozenLayers = unfrozen;
        BatchNormKeptFrozen = batchNormKeptFrozen;
        BestEpoch = bestEpoch;
    }

    /// <summary>Stage 1 with <c>Fit</c>: the head trained with the base frozen. Empty when the head was fitted as a logistic regression.</summary>
    public History Stage1 { get; }

    /// <summary>Stage 2: fine-tuning with the base (partly) unfrozen. Empty when stage 2 was skipped.</summary>
    public History Stage2 { get; }

    /// <summary>The overall (0-based) epoch where stage 2 began: the number of epochs stage 1 ran. Mark it on learning curves.</summary>
    public int Stage2StartEpoch => Stage1.Epochs.Count;

    /// <summary>The base's layers holding weights that stage 2 unfroze.</summary>
    public IReadOnlyList<Layer> UnfrozenLayers { get; }

    /// <summary>BatchNormalization layers kept frozen in stage 2 so they stay in inference mode (see <see cref="FineTuneOptions.TrainBatchNorm"/>).</summary>
    public IReadOnlyList<Layer> BatchNormKeptFrozen { get; }

    /// <summary>The overall (0-based) epoch whose weights the model holds at the end when a stage stopped early and restored its best weights; null otherwise.</summary>
    public int? BestEpoch { get; }

    /// <summary>Every choice the recipe made by itself, in order, with its reason (also printed when <see cref="FineTuneOptions.Verbose"/> is above 0).</summary>
    public IReadOnlyList<FineTuneChoice> Choices { get; internal init; } = [];

    /// <summary>The logistic head's cross-validation, chosen candidate first; empty when the head was trained with <c>Fit</c>.</summary>
    public IReadOnlyList<HeadCandidate> HeadSearch { get; internal init; } = [];

    /// <summary>Images that judged fine-tuning (held out or the validation data); 0 when stage 2 did not run.</summary>
    public int ValidationSamples { get; internal init; }

    /// <summary>The frozen-base model's accuracy on the images that judged fine-tuning (class-weighted when classes are balanced); null when stage 2 did not run.</summary>
    public double? FrozenValidationAccuracy { get; internal init; }

    /// <summary>The fine-tuned model's accuracy on the same images, weighted the same way; null when stage 2 did not run or failed.</summary>
    public double? FineTunedValidationAccuracy { get; internal init; }

    /// <summary>Whether the model that was returned is the fine-tuned one (false: the frozen-base model).</summary>
    public bool FineTuningKept { get; internal init; }

    /// <summary>The true class of each image in <see cref="ValidationPredictions"/>.</summary>
    public IReadOnlyList<int> ValidationLabels { get; internal init; } = [];

    /// <summary>
    /// An honest prediction of each of a set of images the returned model's procedure did not train on
    /// (<see cref="ValidationSource"/> says which): for a confusion matrix and per-class accuracy.
    /// </summary>
    public IReadOnlyList<int> ValidationPredictions { get; internal init; } = [];

    /// <summary>What <see cref="ValidationPredictions"/> are (cross-validation, held-out or validation images); null when there are none.</summary>
    public string? ValidationSource { get; internal init; }

    /// <summary>
    /// A key's values over both stages, one per epoch (stage 1's, then stage 2's); NaN for the epochs of a stage
    /// that did not log it (e.g. <c>learning_rate</c>).
    /// </summary>
    public IReadOnlyList<double> Combined(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Pad(Stage1, key).Concat(Pad(Stage2, key)).ToList();
    }

    private static IEnumerable<double> Pad(History h, string key) =>
        h[key].Count == h.Epochs.Count ? h[key] : Enumerable.Repeat(double.NaN, h.Epochs.Count);
}
