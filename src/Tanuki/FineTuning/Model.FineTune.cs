using System.Globalization;
using Tanuki.Callbacks;
using Tanuki.Data;
using Tanuki.Layers;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki;

public partial class Model
{
    /// <summary>Runs <see cref="FineTune(Layer, Dataset, Dataset?, FineTuneOptions?)"/> on in-memory tensors.</summary>
    public FineTuneResult FineTune(Layer baseModel, Tensor x, Tensor y, int batchSize = 32, (Tensor X, Tensor Y)? validationData = null,
                                   FineTuneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        options ??= new FineTuneOptions();
        var train = new TensorBatches(x, y, batchSize, options.Shuffle);
        Dataset? val = validationData is (Tensor vx, Tensor vy) ? new TensorBatches(vx, vy, batchSize, shuffle: false) : null;
        return FineTune(baseModel, train, val, options);
    }

    /// <summary>
    /// The transfer-learning recipe of the Keras guide, in two <c>Fit</c>s:
    /// <list type="number">
    /// <item>Stage 1: <paramref name="baseModel"/> frozen, the head trained with the optimizer, loss and metrics
    /// given to <c>Compile</c>, for <see cref="FineTuneOptions.HeadEpochs"/> epochs or until
    /// <see cref="FineTuneOptions.HeadPatience"/> epochs pass without improvement.</item>
    /// <item>Stage 2: the base unfrozen (all of it, from a layer on, or a top fraction: <see cref="FineTuneOptions.Unfreeze"/>),
    /// the model recompiled with a fresh optimizer at a low rate (Adam 1e-5) — fresh, because the freeze boundary
    /// moved (fastai's rule) — and trained for <see cref="FineTuneOptions.FineTuneEpochs"/> epochs.</item>
    /// </list>
    /// BatchNormalization stays in inference mode through stage 2 (see <see cref="FineTuneOptions.TrainBatchNorm"/>):
    /// call the base with <c>training: false</c> when building the model, as the guide does. With
    /// <see cref="FineTuneOptions.RestoreBestWeights"/> (the default) the model ends with its best weights, by
    /// validation loss when there is validation data.
    /// </summary>
    /// <param name="baseModel">The pretrained part of this model (a nested model or a layer inside it).</param>
    /// <param name="train">Training batches.</param>
    /// <param name="validationData">Validation batches (recommended: they drive early stopping and weight restoring).</param>
    /// <param name="options">The recipe's knobs; null for the defaults.</param>
    /// <returns>Both stages' histories and the epoch where stage 2 began.</returns>
    public FineTuneResult FineTune(Layer baseModel, Dataset train, Dataset? validationData = null, FineTuneOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(train);
        options ??= new FineTuneOptions();
        EnsureCompiled("fine-tuning (FineTune): stage 1 trains the head with the compiled optimizer, loss and metrics");
        CheckFineTune(baseModel, options);
        string monitor = options.Monitor ?? (validationData is null ? "loss" : "val_loss");
        // An epoch's mean training loss says little about its final weights: restore only on a chosen or validation measure.
        bool restore = options.RestoreBestWeights && (validationData is not null || options.Monitor is not null);

        // Stage 1: the head alone.
        var history1 = new History();
        EarlyStopping? stop1 = null;
        if (options.HeadEpochs > 0)
        {
            baseModel.Freeze();
            Say(options, string.Create(CultureInfo.InvariantCulture,
                $"Stage 1/2: training the head, '{baseModel.Name}' frozen ({baseModel.CountParams():N0} parameters); {TrainableParams():N0} trainable parameters."));
            stop1 = Stopper(monitor, options.HeadPatience, restore, options);
            history1 = Fit(train, options.HeadEpochs, options.Verbose, [.. options.Callbacks, .. Listed(stop1)], validationData);
        }
        int? bestEpoch = stop1 is { RestoreBestWeights: true } ? stop1.BestEpoch : null;
        if (options.FineTuneEpochs == 0) return new FineTuneResult(history1, new History(), [], [], bestEpoch);

        // Stage 2: unfreeze, recompile at a low rate with fresh optimizer state, train everything unfrozen.
        IReadOnlyList<Layer> unfrozen = baseModel.UnfreezeBySpec(options.Unfreeze);
        var keptFrozen = new List<Layer>();
        if (!options.TrainBatchNorm)
        {
            var inTrainingMode = BatchNormInference.ReachedInTrainingMode(this);
            foreach (Layer layer in unfrozen)
            {
                if (layer is not BatchNormalization bn || !inTrainingMode.Contains(bn)) continue;
                bn.Trainable = false;
                keptFrozen.Add(bn);
            }
        }
        Optimizer optimizer = options.FineTuneOptimizer ?? new Adam(options.FineTuneLearningRate);
        optimizer.Reset();
        if (options.BaseLearningRateMultiplier != 1) optimizer.SetLearningRateMultiplier(baseModel.Weights, options.BaseLearningRateMultiplier);
        Compile(optimizer, Loss!, Metrics);
        string bnNote = keptFrozen.Count > 0
            ? $"; kept {keptFrozen.Count} BatchNormalization layers frozen so they stay in inference mode (call the base with training: false to train their gamma and beta)"
            : "";
        string multiplier = options.BaseLearningRateMultiplier != 1 ? $" (base × {PythonFormat.Repr(options.BaseLearningRateMultiplier)})" : "";
        Say(options, string.Create(CultureInfo.InvariantCulture,
            $"Stage 2/2: fine-tuning; unfroze in '{baseModel.Name}': {Layer.Describe(unfrozen)}{bnNote}; {optimizer.Name} at learning rate {PythonFormat.Repr(optimizer.LearningRate)}{multiplier}; {TrainableParams():N0} trainable parameters."));

        using var stage1Weights = new WeightsSnapshot(stop1?.RestoreBestWeights == true ? GetWeights() : null);
        EarlyStopping? stop2 = Stopper(monitor, options.FineTunePatience, restore, options);
        Callback? schedule = null;
        if (options.Schedule == "cosine")
        {
            double start = optimizer.LearningRate;
            int epochs = options.FineTuneEpochs;
            schedule = new LearningRateScheduler(e => start * 0.5 * (1 + Math.Cos(Math.PI * e / epochs)));
        }
        History history2 = Fit(train, options.FineTuneEpochs, options.Verbose, [.. Listed(schedule), .. options.Callbacks, .. Listed(stop2)], validationData);
        if (stop2 is { RestoreBestWeights: true })
        {
            bestEpoch = history1.Epochs.Count + stop2.BestEpoch;
            bool stage2Better = stop2.Best is double b2 && (stop1?.Best is not double b1 || (stop2.Maximize ? b2 > b1 : b2 < b1));
            if (!stage2Better && stage1Weights.Values is Tensor[] w)
            {
                Say(options, $"Fine-tuning never beat the head's best {monitor}; restoring the weights from the end of stage 1 (epoch {stop1!.BestEpoch + 1}).");
                SetWeights(w);
                bestEpoch = stop1.BestEpoch;
            }
        }
        return new FineTuneResult(history1, history2, unfrozen, keptFrozen, bestEpoch);
    }

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
        if (options.HeadEpochs == 0 && options.FineTuneEpochs == 0) throw new ArgumentException("HeadEpochs and FineTuneEpochs are both 0: nothing to train.", nameof(options));
        if (!(options.BaseLearningRateMultiplier >= 0) || double.IsInfinity(options.BaseLearningRateMultiplier))
            throw new ArgumentOutOfRangeException(nameof(options), options.BaseLearningRateMultiplier, $"Expected a non-negative multiplier. Received: BaseLearningRateMultiplier={options.BaseLearningRateMultiplier}");
        if (options.HeadPatience < 0) throw new ArgumentOutOfRangeException(nameof(options), options.HeadPatience, $"Expected a non-negative patience. Received: HeadPatience={options.HeadPatience}");
        if (options.FineTunePatience < 0) throw new ArgumentOutOfRangeException(nameof(options), options.FineTunePatience, $"Expected a non-negative patience. Received: FineTunePatience={options.FineTunePatience}");
        if (options.FineTuneEpochs > 0) baseModel.CheckUnfreezeSpec(options.Unfreeze);
        Guard.OneOf(options.Schedule, ["cosine", "constant"], "Schedule");
    }

    private static EarlyStopping? Stopper(string monitor, int? patience, bool restore, FineTuneOptions options)
    {
        if (patience is null && !restore) return null;
        // Without a patience it never stops, and only keeps the best weights.
        return new EarlyStopping(monitor, patience: patience ?? int.MaxValue, restoreBestWeights: restore,
                                 verbose: options.Verbose > 0 ? 1 : 0) { Output = options.Output };
    }

    private static Callback[] Listed(Callback? c) => c is null ? [] : [c];

    private long TrainableParams() => TrainableWeights.Sum(v => v.Count);

    private static void Say(FineTuneOptions options, string message)
    {
        if (options.Verbose > 0) (options.Output ?? Console.Out).WriteLine(message);
    }

    /// <summary>Weight copies that are disposed with the scope.</summary>
    private sealed class WeightsSnapshot(Tensor[]? values) : IDisposable
    {
        public Tensor[]? Values { get; } = values;

        public void Dispose()
        {
            if (Values is null) return;
            foreach (Tensor t in Values) t.Dispose();
        }
    }
}
