using Tanuki.FineTuning;
using Tanuki.Data;
using static TorchSharp.torch;

namespace Tanuki;

public partial class Model
{
    /// <summary>Runs <see cref="FineTune(Layer, Dataset, Dataset?, FineTuneOptions?, CancellationToken)"/> on in-memory tensors.</summary>
    public FineTuneResult FineTune(Layer baseModel, Tensor x, Tensor y, int batchSize = 32, (Tensor X, Tensor Y)? validationData = null,
                                   FineTuneOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        options ??= new FineTuneOptions();
        var train = new TensorBatches(x, y, batchSize, options.Shuffle);
        Dataset? val = validationData is (Tensor vx, Tensor vy) ? new TensorBatches(vx, vy, batchSize, shuffle: false) : null;
        return FineTune(baseModel, train, val, options, cancellationToken);
    }

    /// <summary>
    /// The transfer-learning recipe: the Keras guide's two stages, with the choices that fit small data made by
    /// measurement (see <see cref="FineTuneOptions"/> for each knob):
    /// <list type="number">
    /// <item>Stage 1: <paramref name="baseModel"/> frozen, classes balanced by weight. A head that is one Dense layer
    /// on the frozen features is fitted as a regularised multinomial logistic regression on cached features of each
    /// image and augmented views of it, its penalty (and whether to average predictions over the mirror image) chosen
    /// by stratified k-fold cross-validation; any other head trains with the compiled optimizer.</item>
    /// <item>Stage 2: the base unfrozen (all of it, from a layer on, or a top fraction: <see cref="FineTuneOptions.Unfreeze"/>),
    /// the model recompiled with a fresh optimizer at a low rate — fresh, because the freeze boundary moved (fastai's
    /// rule) — and trained, BatchNormalization in inference mode. It is judged on <paramref name="validationData"/>
    /// (or a stratified hold-out of the training data) and kept only if it beats the frozen-base model there by more
    /// than the comparison's standard error; otherwise the frozen-base model is restored. The result never validated
    /// worse than stage 1, and its weights are finite.</item>
    /// </list>
    /// Every automatic choice is printed (with <see cref="FineTuneOptions.Verbose"/> above 0) and listed in
    /// <see cref="FineTuneResult.Choices"/>. Call the base with <c>training: false</c> when building the model, as the
    /// guide does. The model must be compiled (its loss and metrics are used; its optimizer trains a non-linear head).
    /// A model without class names or a resize mode takes those of an <see cref="Data.ImageDataset"/> it is trained on,
    /// so that once saved it loads new images as it was trained (<see cref="Data.ImageDataset.LoadImage(string, Model)"/>).
    /// </summary>
    /// <param name="baseModel">The pretrained part of this model (a nested model or a layer inside it).</param>
    /// <param name="train">Training batches: an <see cref="Data.ImageDataset"/>, in-memory tensors, or any dataset small
    /// enough to read into memory (the recipe addresses samples one by one).</param>
    /// <param name="validationData">Images to judge fine-tuning on; null holds out <see cref="FineTuneOptions.FineTuneValidationSplit"/> of the training images.</param>
    /// <param name="options">The recipe's knobs; null for the defaults.</param>
    /// <param name="cancellationToken">Stops the recipe within one step or batch (the frozen-feature pass, the head's
    /// cross-validation and both stages' <c>Fit</c> included) with a <see cref="TrainingCanceledException"/>. The model then
    /// holds the best result the recipe had finished: cancelled in stage 2, the frozen-base model of stage 1 is put back
    /// (<see cref="TrainingCanceledException.CompletedStages"/> 1) and can be saved; cancelled before stage 1 finished,
    /// its weights are not a finished model (0).</param>
    /// <returns>Both stages' histories, the choices made, and the validation that judged fine-tuning.</returns>
    public FineTuneResult FineTune(Layer baseModel, Dataset train, Dataset? validationData = null, FineTuneOptions? options = null,
                                   CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(train);
        options ??= new FineTuneOptions();
        EnsureCompiled("fine-tuning (FineTune): the recipe uses the compiled loss and metrics");
        CheckFineTune(baseModel, options);
        if (!train.IsBatched) throw new ArgumentException("FineTune needs a batched Dataset: call .Batch(batchSize) on it first.", nameof(train));
        if (cancellationToken.IsCancellationRequested) throw Canceled(cancellationToken, null);
        ClassNames ??= train.ClassNames;
        // A model trained on padded (or cropped) images loads new ones the same way (ImageDataset.LoadImage(path, model)).
        if (train is ImageDataset folder) ImageResize ??= folder.Resize;
        int classes = Outputs.Count == 1 && Outputs[0].Shape.Length == 2 ? (int)Outputs[0].Shape[1] : 0;
        int batchSize = train switch { TensorBatches tb => tb.BatchSize, ImageDataset images => images.BatchSize, _ => 32 };
        using SampleSet samples = SampleSet.From(train, classes);
        using SampleSet? validation = validationData is null ? null : SampleSet.From(validationData, classes);
        if (samples.Count < 2) throw new ArgumentException($"Fine-tuning needs at least 2 training samples. Received: {samples.Count}.", nameof(train));
        try
        {
            return new FineTuneRun(this, baseModel, options, cancellationToken).Execute(samples, validation, batchSize);
        }
        catch (OperationCanceledException e) when (e is not TrainingCanceledException { CompletedStages: > 0 })
        {
            throw Canceled(cancellationToken, e);
        }
    }

    /// <summary>Cancelled before stage 1 finished: no finished model to put back.</summary>
    private static TrainingCanceledException Canceled(CancellationToken token, OperationCanceledException? e) =>
        new("Fine-tuning was cancelled before stage 1 (the head on the frozen base) finished, so the model holds no finished result.",
            (e as TrainingCanceledException)?.History ?? new History(), 0, token, e);

    private void CheckFineTune(Layer baseModel, FineTuneOptions options)
    {
        if (ReferenceEquals(baseModel, this) || !ContainsLayer(baseModel))
            throw new ArgumentException(
                $"baseModel must be the pretrained part of model '{Name}' (a nested model or a layer inside it). Received: '{baseModel.Name}', which is {(ReferenceEquals(baseModel, this) ? "the model itself" : "not part of it")}.",
                nameof(baseModel));
        if (baseModel.Weights.Count == 0)
            throw new ArgumentException($"Layer '{baseModel.Name}' holds no weights, so there is nothing to freeze or fine-tune.", nameof(baseModel));
        if (options.HeadEpochs < 0) throw new ArgumentOutOfRangeException(nameof(options), options.HeadEpochs, $"Expected a non-negative number of epochs. Received: HeadEpochs={options.HeadEpochs}");
        if (options.FineTuneEpochs < 0) throw new ArgumentOutOfRangeException(nameof(options), options.FineTuneEpochs, $"Expected a non-negative number of epochs. Received: FineTuneEpochs={options.FineTuneEpochs}");
        if (options.Head == "fit" && options.HeadEpochs == 0 && options.FineTuneEpochs == 0)
            throw new ArgumentException("Head = \"fit\" with HeadEpochs and FineTuneEpochs both 0: nothing to train.", nameof(options));
        if (!(options.BaseLearningRateMultiplier >= 0) || double.IsInfinity(options.BaseLearningRateMultiplier))
            throw new ArgumentOutOfRangeException(nameof(options), options.BaseLearningRateMultiplier, $"Expected a non-negative multiplier. Received: BaseLearningRateMultiplier={options.BaseLearningRateMultiplier}");
        Guard.OneOf(options.Head, ["auto", "logistic", "fit"], "Head");
        Guard.OneOf(options.TestTimeAugmentation, ["auto", "flip", "none"], "TestTimeAugmentation");
        Guard.OneOf(options.KeepFineTuning, ["auto", "always"], "KeepFineTuning");
        if (options.CrossValidationFolds < 2) throw new ArgumentOutOfRangeException(nameof(options), options.CrossValidationFolds, $"Expected at least 2 folds. Received: CrossValidationFolds={options.CrossValidationFolds}");
        if (!(options.FineTuneValidationSplit > 0 && options.FineTuneValidationSplit < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.FineTuneValidationSplit, $"Expected a fraction strictly between 0 and 1. Received: FineTuneValidationSplit={options.FineTuneValidationSplit}");
        if (options.AugmentedViews is < 1) throw new ArgumentOutOfRangeException(nameof(options), options.AugmentedViews, $"Expected at least 1 view. Received: AugmentedViews={options.AugmentedViews}");
        if (options.HeadPatience < 0) throw new ArgumentOutOfRangeException(nameof(options), options.HeadPatience, $"Expected a non-negative patience. Received: HeadPatience={options.HeadPatience}");
        if (options.FineTunePatience < 0) throw new ArgumentOutOfRangeException(nameof(options), options.FineTunePatience, $"Expected a non-negative patience. Received: FineTunePatience={options.FineTunePatience}");
        if (options.FineTuneEpochs > 0) baseModel.CheckUnfreezeSpec(options.Unfreeze);
        Guard.OneOf(options.Schedule, ["cosine", "constant"], "Schedule");
    }
}
