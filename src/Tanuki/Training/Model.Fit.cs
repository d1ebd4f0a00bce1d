using Microsoft.Extensions.Logging;
using Tanuki.Callbacks;
using Tanuki.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki;

public partial class Model
{
    /// <summary>
    /// The History of the last <c>Fit</c> (Keras's <c>model.history</c>), set when it starts: after a cancelled or failed
    /// run it holds the epochs that completed.
    /// </summary>
    public History? History { get; private set; }

    /// <summary>
    /// Epochs of training completed: <c>Fit</c> sets it to <c>epoch + 1</c> at the end of each epoch, <c>Save</c> records
    /// it and <c>Load</c> reads it back, so that <c>Fit(..., initialEpoch: model.CompletedEpochs)</c> resumes a checkpoint.
    /// </summary>
    public int CompletedEpochs { get; set; }

    /// <summary>An optimizer state read from a file, waiting for the <c>Compile</c> that takes it (see <see cref="Load"/>).</summary>
    internal Saving.OptimizerCheckpoint? SavedOptimizer { get; set; }

    /// <summary>
    /// Trains on in-memory tensors (or arrays: see the <see cref="Fit(Array, Array, int, int, int, IEnumerable{Callback}?, double, ValueTuple{Array, Array}?, bool, IReadOnlyDictionary{int, double}?, Tensor?, int, FitOptions?, CancellationToken)"/> overload).
    /// </summary>
    /// <param name="x">Inputs, batch dimension first.</param>
    /// <param name="y">Targets, one per input.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="callbacks">Callbacks, called in order.</param>
    /// <param name="validationSplit">Fraction of the data, taken from the end before shuffling, held out for validation
    /// (with its sample weights, if any).</param>
    /// <param name="validationData">Data to validate on at the end of each epoch, unweighted (overrides <paramref name="validationSplit"/>).</param>
    /// <param name="shuffle">Whether to reshuffle the training data at each epoch.</param>
    /// <param name="classWeight">A weight per class index, multiplying the loss of each training sample of that class
    /// (classes not in the map weigh 1). Validation is not weighted by it.</param>
    /// <param name="sampleWeight">A weight per training sample, <c>(N)</c>, or per loss element (e.g. <c>(N, H, W)</c> for
    /// per-pixel losses). With <paramref name="classWeight"/> too, the two multiply.</param>
    /// <param name="initialEpoch">The epoch to start at (0-based), as Keras's <c>initial_epoch</c>: to resume a training run
    /// (with the optimizer's state loaded from a checkpoint), pass the epochs already done; training runs epochs
    /// <paramref name="initialEpoch"/> to <paramref name="epochs"/> − 1.</param>
    /// <param name="options">Where progress and messages go besides the console: a <see cref="TextWriter"/>, an
    /// <c>ILogger</c>, an <see cref="IProgress{T}"/> of <see cref="FitProgress"/>. Null: the console, as <paramref name="verbose"/> asks.</param>
    /// <param name="cancellationToken">Stops training at the next step boundary (the frozen-feature pass and validation
    /// included, within one batch) by throwing a <see cref="TrainingCanceledException"/>: see there for the state it leaves.</param>
    public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
                       double validationSplit = 0, (Tensor X, Tensor Y)? validationData = null, bool shuffle = true,
                       IReadOnlyDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null,
                       int initialEpoch = 0, FitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        EnsureCompiled("training the model (Fit)");
        if (x.shape[0] != y.shape[0])
            throw new ArgumentException($"x and y must have the same number of samples. Received: x has {x.shape[0]} samples (shape {Shapes.Format(x.shape)}), y has {y.shape[0]} (shape {Shapes.Format(y.shape)}).");
        Guard.InRange(validationSplit, 0, 0.999);
        Tensor? w = sampleWeight is null ? null : SampleWeighting.CheckSampleWeight(sampleWeight, x.shape[0]);
        Dataset? val = null;
        var valWeighting = SampleWeighting.None;
        if (validationData is (Tensor vx, Tensor vy)) val = new TensorBatches(vx, vy, batchSize, shuffle: false);
        else if (validationSplit > 0)
        {
            long n = x.shape[0];
            long split = (long)Math.Floor(n * (1 - validationSplit));
            if (split <= 0 || split >= n)
                throw new ArgumentException($"validationSplit={validationSplit} leaves no samples for training or validation (there are {n} samples).");
            (val, valWeighting) = Batches(x[TensorIndex.Slice(split)], y[TensorIndex.Slice(split)], w?[TensorIndex.Slice(split)], null, batchSize, shuffle: false);
            x = x[TensorIndex.Slice(0, split)];
            y = y[TensorIndex.Slice(0, split)];
            w = w?[TensorIndex.Slice(0, split)];
        }
        var (train, weighting) = Batches(x, y, w, classWeight, batchSize, shuffle);
        return FitCore(train, epochs, verbose, callbacks, val, weighting, valWeighting, initialEpoch, options, cancellationToken);
    }

    /// <summary>
    /// In-memory batches and how they are weighted. With per-sample weights the batches carry sample indices as targets,
    /// so that the weights follow their samples through shuffling and the frozen-feature cache.
    /// </summary>
    private static (Dataset, SampleWeighting) Batches(Tensor x, Tensor y, Tensor? sampleWeight, IReadOnlyDictionary<int, double>? classWeight, int batchSize, bool shuffle)
    {
        if (sampleWeight is null) return (new TensorBatches(x, y, batchSize, shuffle), SampleWeighting.ForClasses(classWeight));
        Tensor indices = torch.arange(x.shape[0], dtype: ScalarType.Int64);
        return (new TensorBatches(x, indices, batchSize, shuffle), SampleWeighting.ForIndexedSamples(y, sampleWeight, classWeight));
    }

    /// <summary>Trains on arrays (<c>float[,]</c>, <c>float[,,,]</c>, <c>int[]</c>, ...), as Keras takes NumPy arrays.</summary>
    /// <inheritdoc cref="Fit(Tensor, Tensor, int, int, int, IEnumerable{Callback}?, double, ValueTuple{Tensor, Tensor}?, bool, IReadOnlyDictionary{int, double}?, Tensor?, int, FitOptions?, CancellationToken)"/>
    public History Fit(Array x, Array y, int batchSize = 32, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
                       double validationSplit = 0, (Array X, Array Y)? validationData = null, bool shuffle = true,
                       IReadOnlyDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null,
                       int initialEpoch = 0, FitOptions? options = null, CancellationToken cancellationToken = default)
    {
        (Tensor X, Tensor Y)? val = validationData is (Array vx, Array vy) ? (Arrays.ToTensor(vx), Arrays.ToTensor(vy)) : null;
        return Fit(Arrays.ToTensor(x), Arrays.ToTensor(y), batchSize, epochs, verbose, callbacks, validationSplit, val, shuffle, classWeight, sampleWeight,
                   initialEpoch, options, cancellationToken);
    }

    /// <summary>Trains on a batched <see cref="Dataset"/>.</summary>
    /// <param name="data">Batches of (inputs, targets).</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="callbacks">Callbacks, called in order.</param>
    /// <param name="validationData">Batches to validate on at the end of each epoch (unweighted).</param>
    /// <param name="classWeight">A weight per class index, multiplying the loss of each training sample of that class
    /// (classes not in the map weigh 1).</param>
    /// <param name="initialEpoch">The epoch to start at (0-based), as Keras's <c>initial_epoch</c>: to resume a training run
    /// (with the optimizer's state loaded from a checkpoint), pass the epochs already done; training runs epochs
    /// <paramref name="initialEpoch"/> to <paramref name="epochs"/> − 1.</param>
    /// <param name="options">Where progress and messages go besides the console: a <see cref="TextWriter"/>, an
    /// <c>ILogger</c>, an <see cref="IProgress{T}"/> of <see cref="FitProgress"/>. Null: the console, as <paramref name="verbose"/> asks.</param>
    /// <param name="cancellationToken">Stops training at the next step boundary (the frozen-feature pass and validation
    /// included, within one batch) by throwing a <see cref="TrainingCanceledException"/>: see there for the state it leaves.</param>
    public History Fit(Dataset data, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null, Dataset? validationData = null,
                       IReadOnlyDictionary<int, double>? classWeight = null,
                       int initialEpoch = 0, FitOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FitCore(data, epochs, verbose, callbacks, validationData, SampleWeighting.ForClasses(classWeight), SampleWeighting.None,
                       initialEpoch, options, cancellationToken);
    }

    private History FitCore(Dataset data, int epochs, int verbose, IEnumerable<Callback>? callbacks, Dataset? validationData,
                            SampleWeighting weighting, SampleWeighting validationWeighting, int initialEpoch, FitOptions? options,
                            CancellationToken cancellationToken)
    {
        EnsureCompiled("training the model (Fit)");
        Guard.Positive(epochs);
        if (initialEpoch < 0 || initialEpoch >= epochs)
            throw new ArgumentOutOfRangeException(nameof(initialEpoch), initialEpoch,
                $"initialEpoch must be at least 0 and less than epochs ({epochs}): training runs epochs initialEpoch to epochs - 1. Received: initialEpoch={initialEpoch}");
        if (!data.IsBatched) throw new ArgumentException("Fit needs a batched Dataset: call .Batch(batchSize) on it first.", nameof(data));
        if (validationData is { IsBatched: false })
            throw new ArgumentException("Fit needs batched validation data: call .Batch(batchSize) on it first.", nameof(validationData));
        if (Outputs.Count > 1) throw new NotSupportedException($"Fit supports models with one output; model '{Name}' has {Outputs.Count}.");
        var history = new History();
        History = history;
        var log = new FitLog(verbose, options);
        ThrowIfCanceled(cancellationToken, history, log, "before the first step");
        ClassNames ??= data.ClassNames;

        var all = new List<Callback>(callbacks ?? []) { history };
        if (verbose > 0) all.Add(new ProgressBar(verbose, options?.Output));
        if (options is { Progress: not null } or { Logger: not null }) all.Add(new ProgressReporter(options));
        var parameters = new Dictionary<string, long> { ["epochs"] = epochs, ["steps"] = data.Cardinality, ["verbose"] = verbose };
        var cbs = new CallbackList(all, this, parameters);
        var lossMean = new Metrics.Mean("loss");

        BuildForTraining(data);
        StopTraining = false;
        using var cache = new FeatureCache(this, data, validationData, log, cancellationToken);
        cbs.OnTrainBegin(new Dictionary<string, double>());
        var lastLogs = new Dictionary<string, double>();
        for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
        {
            cbs.OnEpochBegin(epoch);
            IReadOnlyList<Variable> trainable = PrepareTrainableWeights();   // after OnEpochBegin: callbacks may unfreeze
            var finite = new FiniteWeights(Weights);
            try
            {
                cache.Prepare(trainable);
            }
            catch (OperationCanceledException e) when (e is not TrainingCanceledException)
            {
                ThrowIfCanceled(cancellationToken, history, log, $"during the frozen-feature pass of epoch {epoch + 1} (no step of it ran)");
                throw;
            }
            lossMean.ResetState();
            foreach (var (_, m, _) in _metricKeys) m.ResetState();
            int step = 0;
            ThrowIfCanceled(cancellationToken, history, log, $"at the start of epoch {epoch + 1}");
            foreach (var (forward, y, count) in EpochBatches(data, cache))
            {
                cbs.OnBatchBegin(step);
                TrainStep(forward, y, weighting, count, trainable, epoch, step, lossMean, cbs.HandlesNonFiniteLoss, finite);
                cbs.OnBatchEnd(step, CurrentLogs(lossMean));
                step++;
                if (StopTraining) break;
                // Checked here, not only before a step: a cancellation from OnBatchEnd stops before the next batch is loaded.
                ThrowIfCanceled(cancellationToken, history, log, $"after step {step} of epoch {epoch + 1}");
            }
            if (step == 0) throw new ArgumentException("The training data yielded no batches.", nameof(data));
            var logs = CurrentLogs(lossMean);
            if (validationData is not null)
            {
                Dictionary<string, double> val;
                try
                {
                    val = EvaluateBatches(cache.ValidationActive ? CachedValidation(cache) : InferenceBatches(validationData), validationWeighting,
                                          cancellationToken);
                }
                catch (OperationCanceledException e) when (e is not TrainingCanceledException)
                {
                    ThrowIfCanceled(cancellationToken, history, log, $"while validating epoch {epoch + 1} (its training steps completed)");
                    throw;
                }
                foreach (var (k, v) in val) logs["val_" + k] = v;
            }
            CompletedEpochs = epoch + 1;   // before OnEpochEnd: a ModelCheckpoint saving there records this epoch as done
            cbs.OnEpochEnd(epoch, logs);
            lastLogs = logs;
        }
        cbs.OnTrainEnd(lastLogs);   // the last epoch's logs, as Keras passes them
        return history;
    }

    /// <summary>
    /// Cancellation between steps: what ran is complete (a step's update is applied whole or not at all), so the weights
    /// are usable; the History holds the completed epochs.
    /// </summary>
    private static void ThrowIfCanceled(CancellationToken token, History history, FitLog log, string where)
    {
        if (!token.IsCancellationRequested) return;
        string message = $"Training was cancelled {where}; the weights are those after the last completed step, and the History " +
                         $"(also Model.History) holds the {history.Epochs.Count} completed epoch{(history.Epochs.Count == 1 ? "" : "s")}.";
        log.Options?.Logger?.LogWarning("{Message}", message);
        throw new TrainingCanceledException(message, history, 0, token);
    }

    /// <summary>
    /// The epoch's batches as (forward pass in training mode, targets, batch size): from the data, or from the
    /// frozen-feature cache through the trainable rest of the model. Tensors are owned by the step that runs them.
    /// </summary>
    private IEnumerable<(Func<DisposeScope, Tensor> Forward, Tensor Y, long Count)> EpochBatches(Dataset data, FeatureCache cache)
    {
        if (cache.Active)
        {
            foreach (var (features, y) in cache.TrainBatches())
                yield return (scope => { foreach (Tensor f in features) scope.Attach(f); return cache.RunSuffix(features, training: true); },
                              y, features[0].shape[0]);
        }
        else
        {
            foreach (var (x, y) in data)
                yield return (scope => { scope.Attach(x); return Call(x.device == Backend.Device ? x : x.to(Backend.Device), training: true); },
                              y, x.shape[0]);
        }
    }

    private static IEnumerable<(Func<DisposeScope, Tensor> Predict, Tensor Y)> CachedValidation(FeatureCache cache)
    {
        foreach (var (features, y) in cache.ValidationBatches())
            yield return (scope => { foreach (Tensor f in features) scope.Attach(f); return cache.RunSuffix(features, training: false); }, y);
    }

    /// <summary>
    /// One training step, the spine of Tanuki: forward in training mode → loss → gradients of the trainable
    /// weights → optimizer update → metrics. Everything it allocates dies with its dispose scope.
    /// A NaN or infinite loss is never applied: it throws, or, when a callback such as TerminateOnNaN takes it
    /// over, goes into the batch logs (the weights keep their last finite values) for that callback to stop training.
    /// A step that leaves a weight NaN or infinite although its loss was finite (an update that overflowed) always throws:
    /// those weights cannot be given back, and a model that silently holds them must never be used or saved.
    /// </summary>
    private void TrainStep(Func<DisposeScope, Tensor> forward, Tensor targets, SampleWeighting weighting, long count, IReadOnlyList<Variable> trainable,
                           int epoch, int step, Metrics.Mean lossMean, bool nonFiniteHandled, FiniteWeights finite)
    {
        finite.Snapshot();
        using var scope = NewDisposeScope();
        scope.Attach(targets);
        (Tensor y, Tensor? w) = weighting.Resolve(targets);
        Tensor yd = y.device == Backend.Device ? y : y.to(Backend.Device);
        Tensor? wd = w?.to(Backend.Device);
        Tensor predictions = forward(scope);
        Tensor loss = Loss!.Call(yd, predictions, wd);
        double value = loss.item<float>();
        if (!double.IsFinite(value) && nonFiniteHandled)
        {
            lossMean.UpdateState(value, count);
            return;
        }
        if (!double.IsFinite(value))
            throw new TrainingException(
                $"The loss became {value} at epoch {epoch + 1}, step {step + 1}; training stopped before applying that update. " +
                (finite.FirstNonFinite() is var (stat, statKind)
                    ? $"The forward pass had already made '{stat.Path}' {statKind} (a moving statistic), so the model's weights are no longer usable. " : "") +
                "Try a lower learning rate, check the inputs and targets for NaN or infinite values, or use fromLogits: true with a model that outputs logits.",
                epoch + 1, step + 1);
        if (trainable.Count > 0)
        {
            // Keras: a variable the loss does not depend on gets no gradient; the optimizer skips it with a warning
            // (and refuses a step where no variable has one).
            IList<Tensor?> grads = loss.requires_grad
                ? torch.autograd.grad([loss], trainable.Select(v => v.Value).ToList(), allow_unused: true)!
                : new Tensor?[trainable.Count];
            Optimizer!.ApplyGradients(grads.Select(g => g is null || g.IsInvalid ? null : g).ToList(), trainable);
        }
        if (finite.FirstNonFinite() is var (weight, kind))
            throw new TrainingException(
                $"The weights became {kind} at epoch {epoch + 1}, step {step + 1}: after that step's update (whose loss, {value:g6}, was finite) " +
                $"weight '{weight.Path}' holds {(kind == "NaN" ? "NaN values" : "infinite values")}, so the model's weights are no longer usable; training stopped. " +
                $"The update overflowed: use a lower learning rate (it was {Optimizer!.LearningRate:g}) or clip the gradients (clipNorm), and train again from the last good weights.",
                epoch + 1, step + 1);
        lossMean.UpdateState(value, count);
        UpdateMetrics(yd, predictions, wd);
    }

    /// <summary>Unweighted metrics see every sample alike; weighted metrics get the batch's weights.</summary>
    private void UpdateMetrics(Tensor y, Tensor predictions, Tensor? weights)
    {
        foreach (var (_, m, weighted) in _metricKeys) m.UpdateState(y, predictions, weighted ? weights : null);
    }

    /// <summary>Reads TrainableWeights now and makes requires_grad match it across the whole model.</summary>
    private IReadOnlyList<Variable> PrepareTrainableWeights()
    {
        IReadOnlyList<Variable> trainable = TrainableWeights;
        var set = new HashSet<Variable>(trainable);
        foreach (Variable v in Weights) v.SetRequiresGrad(set.Contains(v));
        return trainable;
    }

    private Dictionary<string, double> CurrentLogs(Metrics.Mean lossMean)
    {
        var logs = new Dictionary<string, double> { ["loss"] = lossMean.Result() };
        foreach (var (key, m, _) in _metricKeys) logs[key] = m.Result();
        return logs;
    }
}
