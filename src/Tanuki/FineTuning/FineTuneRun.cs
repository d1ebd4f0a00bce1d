using System.Diagnostics;
using System.Globalization;
using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.FineTuning;

/// <summary>
/// One run of the transfer-learning recipe (<see cref="Model.FineTune(Layer, Data.Dataset, Data.Dataset?, FineTuneOptions?)"/>),
/// top to bottom:
/// <list type="number">
/// <item>Freeze the base. Weight classes (balanced by default).</item>
/// <item>Stage 1, the head. A head that is one Dense layer on the frozen features is a multinomial logistic
/// regression: the frozen part runs once over each image and a few augmented views of it, stratified k-fold
/// cross-validation on those features picks the L2 penalty and whether to average predictions over the mirror image,
/// and L-BFGS fits it to convergence. Any other head trains with <c>Fit</c>.</item>
/// <item>Stage 2, fine-tuning, judged on images it did not train on (the validation data, or a stratified hold-out):
/// the base is unfrozen and trained with the head at a low rate; the result is kept only if it beats the frozen-base
/// model on those images by more than the comparison's standard error, else the frozen-base model comes back (its
/// head refitted on all the images).</item>
/// </list>
/// Every choice goes to the log and to <see cref="FineTuneResult.Choices"/>.
/// </summary>
internal sealed class FineTuneRun(Model model, Layer baseModel, FineTuneOptions options)
{
    private readonly List<FineTuneChoice> _choices = [];
    private readonly TextWriter _log = options.Output ?? Console.Out;

    public FineTuneResult Execute(SampleSet train, SampleSet? validation, int batchSize)
    {
        int n = train.Count;
        double[] weights = options.BalanceClasses ? HeadSearch.BalancedWeights(train.Labels) : Enumerable.Repeat(1.0, n).ToArray();
        Dictionary<int, double>? classWeight = options.BalanceClasses ? ClassWeights(train.Labels, weights) : null;
        DescribeData(train, classWeight);

        baseModel.Freeze();
        FrozenPrefix? prefix = FrozenPrefix.Find(model, new HashSet<Variable>(model.TrainableWeights), out string noPrefix, inference: true);
        Dense? head = prefix?.LinearHead();
        bool logistic = UseLogisticHead(head, prefix is null ? noPrefix : null);

        // Where fine-tuning is judged: the validation data, or a stratified hold-out of the training images.
        bool stage2 = options.FineTuneEpochs > 0;
        int[] fitIdx = train.All();
        int[]? heldIdx = null;
        if (stage2 && validation is null)
        {
            (fitIdx, heldIdx) = StratifiedFolds.Split(train.Labels, options.FineTuneValidationSplit, options.Seed);
            int held = heldIdx.Length;
            if (held < options.FineTuneMinimumValidation)
            {
                stage2 = false;
                (fitIdx, heldIdx) = (train.All(), null);
                Choose("fine-tuning", "skipped",
                       $"holding out {options.FineTuneValidationSplit:P0} of {n} images leaves {held} to judge it, fewer than {options.FineTuneMinimumValidation}: " +
                       "too few to tell a gain from noise, so the frozen-base model, trained on all the images, is the result");
            }
        }
        else if (stage2 && validation!.Count < options.FineTuneMinimumValidation)
        {
            stage2 = false;
            Choose("fine-tuning", "skipped", $"{validation.Count} validation images are fewer than {options.FineTuneMinimumValidation}: too few to tell a gain from noise");
        }

        var history1 = new History();
        HeadFit? fitted = null;
        bool flip = false;
        if (logistic) (fitted, flip) = FitLogisticHead(prefix!, head!, train, weights, fitIdx, validation, heldIdx);
        else history1 = FitHeadWithFit(train, validation, fitIdx, heldIdx, batchSize, classWeight);
        model.TestTimeAugmentation = flip ? TestTimeAugmentation.HorizontalFlip : TestTimeAugmentation.None;

        // What the result reports as its validation: the out-of-fold predictions of the cross-validation, which score
        // the procedure that made the all-data head without touching its own training images, unless fine-tuning is kept.
        int[] trainLabels = train.Labels;
        (int[], int[], string)? outOfFold = fitted is null ? null
            : (trainLabels, fitted.OutOfFold, $"out-of-fold predictions of the head's cross-validation on the {train.Count} training images");
        if (!stage2)
        {
            fitted?.Dispose();
            if (fitted is null && validation is not null) outOfFold = (validation.Labels, Predict(validation, validation.All(), batchSize), $"the {validation.Count} validation images");
            return Result(history1, new History(), [], [], fitted, outOfFold) with { };
        }

        // Stage 2.
        int[] judgeIdx = validation is null ? heldIdx! : validation.All();
        SampleSet judge = validation ?? train;
        int[] judgeLabels = judgeIdx.Select(i => judge.Labels[i]).ToArray();
        double[] judgeWeights = options.BalanceClasses ? HeadSearch.BalancedWeights(judgeLabels) : Enumerable.Repeat(1.0, judgeIdx.Length).ToArray();
        int[] frozenPredicted = fitted?.JudgePredictions ?? Predict(judge, judgeIdx, batchSize);
        using var snapshot = new WeightsSnapshot(model.GetWeights());
        var (history2, unfrozen, keptFrozen, failure) = FineTune(train.Batches(fitIdx, batchSize, shuffle: true, options.Seed),
                                                                  judge.Batches(judgeIdx, batchSize, shuffle: false, 0), classWeight);
        int[]? tunedPredicted = failure is null ? Predict(judge, judgeIdx, batchSize) : null;
        bool[] frozenRight = Right(frozenPredicted, judgeLabels);
        bool[]? tunedRight = tunedPredicted is null ? null : Right(tunedPredicted, judgeLabels);
        bool keep = Decide(frozenRight, tunedRight, judgeWeights, failure, judgeIdx.Length);
        string judged = validation is null ? $"the {judgeIdx.Length} held-out training images" : $"the {judgeIdx.Length} validation images";
        if (keep) outOfFold = (judgeLabels, tunedPredicted!, $"{judged} (fine-tuned model)");
        else
        {
            model.SetWeights(snapshot.Values);
            baseModel.Freeze();
            if (fitted is not null && heldIdx is not null) fitted.SetAllDataHead(head!);
            outOfFold ??= (judgeLabels, frozenPredicted, $"{judged} (frozen-base model)");
        }
        fitted?.Dispose();
        return Result(history1, history2, unfrozen, keptFrozen, fitted, outOfFold) with
        {
            ValidationSamples = judgeIdx.Length, FrozenValidationAccuracy = Accuracy(frozenRight, judgeWeights),
            FineTunedValidationAccuracy = tunedRight is null ? null : Accuracy(tunedRight, judgeWeights), FineTuningKept = keep,
        };
    }

    private FineTuneResult Result(History h1, History h2, IReadOnlyList<Layer> unfrozen, IReadOnlyList<Layer> keptFrozen, HeadFit? fitted,
                                  (int[] Labels, int[] Predicted, string Source)? validation) =>
        new(h1, h2, unfrozen, keptFrozen, null)
        {
            Choices = _choices, HeadSearch = fitted?.Search ?? [],
            ValidationLabels = validation?.Labels ?? [], ValidationPredictions = validation?.Predicted ?? [], ValidationSource = validation?.Source,
        };

    private static bool[] Right(int[] predicted, int[] labels) => predicted.Select((p, i) => p == labels[i]).ToArray();

    private void DescribeData(SampleSet train, Dictionary<int, double>? classWeight)
    {
        var counts = train.Labels.GroupBy(l => l).Select(g => g.Count()).ToList();
        int min = counts.Min(), max = counts.Max();
        string spread = min == max ? $"{min} per class" : $"{min} to {max} per class";
        if (classWeight is null) Choose("class weights", "none", $"{train.Count} images, {spread} (BalanceClasses is off)");
        else Choose("class weights", "balanced",
                    min == max ? $"{train.Count} images, {spread}: the weights are all 1"
                               : $"{train.Count} images, {spread}: each class weighs the same in the loss (weights {classWeight.Values.Min():0.##} to {classWeight.Values.Max():0.##})");
    }

    private bool UseLogisticHead(Dense? head, string? noPrefix)
    {
        string why = head is null
            ? noPrefix is not null ? $"the frozen part cannot be computed once per image ({noPrefix})" : "the head is not a single Dense layer on the frozen features"
            : LossMatches(head) ? "" : $"the loss ({model.Loss!.Name}) is not the cross-entropy of the head's {(head.Activation.Name == "softmax" ? "probabilities" : "logits")}";
        bool possible = why.Length == 0;
        if (options.Head == "logistic" && !possible)
            throw new ArgumentException($"Head = \"logistic\" needs a head that is one Dense layer (linear or softmax) on the frozen features, trained with a (sparse) categorical cross-entropy; here {why}. Use Head = \"fit\" or \"auto\".");
        if (options.Head == "fit")
            Choose("head", "trained with Fit", $"Head = \"fit\": {options.HeadEpochs} epochs with the compiled optimizer on the frozen base");
        else if (!possible)
            Choose("head", "trained with Fit", $"{why}, so it trains with the compiled optimizer for up to {options.HeadEpochs} epochs instead of being fitted as a logistic regression");
        return possible && options.Head != "fit";
    }

    private bool LossMatches(Dense head)
    {
        bool logits = head.Activation.Name == "linear";
        return model.Loss switch
        {
            SparseCategoricalCrossentropy s => s.FromLogits == logits,
            CategoricalCrossentropy c => c.FromLogits == logits,
            _ => false,
        };
    }

    private (HeadFit, bool Flip) FitLogisticHead(FrozenPrefix prefix, Dense head, SampleSet train, double[] weights, int[] fitIdx,
                                                 SampleSet? validation, int[]? heldIdx)
    {
        long[] sampleShape = model.Inputs[0].Shape[1..];
        bool images = sampleShape.Length == 3;
        int views = images ? options.AugmentedViews ?? (train.Count <= 2000 ? 6 : 2) : 1;
        if (views < 1) throw new ArgumentOutOfRangeException(nameof(options), views, $"Expected at least 1 augmented view. Received: AugmentedViews={views}");
        var clock = Stopwatch.StartNew();
        Tensor features = FrozenFeatures.Compute(prefix, train, train.All(), views, options.Seed, sampleShape, options.Verbose > 0 ? _log : null);
        Choose("frozen features", $"{train.Count} images × {views} views",
               $"the frozen base ran once on {FeatureViews.Describe(views)} ({clock.Elapsed.TotalSeconds:0.0}s); the head trains on these cached features");

        int folds = Math.Min(options.CrossValidationFolds, train.Count);
        var (search, outOfFold) = HeadSearch.Run(features, train.Labels, weights, head.Units, folds, options.Seed);
        HeadCandidate best = search[0];
        bool flip = options.TestTimeAugmentation switch
        {
            "flip" => true,
            "none" => false,
            _ => best.FlipAverage,
        };
        if (options.TestTimeAugmentation == "auto" && flip != best.FlipAverage) throw new UnreachableException();
        Choose("head", $"logistic regression, L2 = {best.L2.ToString(CultureInfo.InvariantCulture)}",
               $"stratified {folds}-fold cross-validation over {HeadSearch.Penalties.Length} penalties: out-of-fold accuracy {best.Accuracy:0.000}, cross-entropy {best.LogLoss:0.000}" +
               (options.BalanceClasses ? " (class-weighted)" : ""));
        if (images)
        {
            HeadCandidate? other = search.FirstOrDefault(c => c.L2 == best.L2 && c.FlipAverage != flip);
            Choose("test-time augmentation", flip ? "mirror-image average" : "none",
                   options.TestTimeAugmentation != "auto" ? $"TestTimeAugmentation = \"{options.TestTimeAugmentation}\""
                   : other is null ? "one view only" : $"cross-validated cross-entropy {best.LogLoss:0.000} against {other.LogLoss:0.000} {(flip ? "without" : "with")} it");
        }
        var fit = new HeadFit(features, train.Labels, weights, best.L2, head.Units, search, outOfFold);
        fit.SetHead(head, fitIdx);
        if (heldIdx is not null) fit.JudgePredictions = fit.Predict(heldIdx, flip);
        else if (validation is not null)
        {
            using Tensor judgeFeatures = FrozenFeatures.Compute(prefix, validation, validation.All(), flip ? 2 : 1, options.Seed, sampleShape, null);
            fit.JudgePredictions = fit.Predict(judgeFeatures, flip);
        }
        return (fit, flip);
    }

    private History FitHeadWithFit(SampleSet train, SampleSet? validation, int[] fitIdx, int[]? heldIdx, int batchSize, Dictionary<int, double>? classWeight)
    {
        if (options.HeadEpochs == 0) return new History();
        var val = validation?.Batches(validation.All(), batchSize, shuffle: false, 0) ?? (heldIdx is null ? null : train.Batches(heldIdx, batchSize, shuffle: false, 0));
        string monitor = options.Monitor ?? (val is null ? "loss" : "val_loss");
        EarlyStopping? stop = options.HeadPatience is int p ? new EarlyStopping(monitor, patience: p, restoreBestWeights: options.RestoreBestWeights) { Output = options.Output } : null;
        Say($"Stage 1/2: training the head, '{baseModel.Name}' frozen ({baseModel.CountParams():N0} parameters); {TrainableParams():N0} trainable parameters.");
        return model.Fit(train.Batches(fitIdx, batchSize, shuffle: true, options.Seed), options.HeadEpochs, options.Verbose,
                         [.. options.Callbacks, .. stop is null ? Array.Empty<Callback>() : [stop]], val, classWeight);
    }

    private (History, IReadOnlyList<Layer>, IReadOnlyList<Layer>, string?) FineTune(Data.Dataset train, Data.Dataset judge, Dictionary<int, double>? classWeight)
    {
        IReadOnlyList<Layer> unfrozen = baseModel.UnfreezeBySpec(options.Unfreeze);
        var keptFrozen = new List<Layer>();
        if (!options.TrainBatchNorm)
        {
            var inTrainingMode = BatchNormInference.ReachedInTrainingMode(model);
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
        model.Compile(optimizer, model.Loss!, model.Metrics);
        string bnNote = keptFrozen.Count > 0
            ? $"; kept {keptFrozen.Count} BatchNormalization layers frozen so they stay in inference mode (call the base with training: false to train their gamma and beta)"
            : "";
        string multiplier = options.BaseLearningRateMultiplier != 1 ? $" (base × {PythonFormat.Repr(options.BaseLearningRateMultiplier)})" : "";
        Say(string.Create(CultureInfo.InvariantCulture,
            $"Stage 2/2: fine-tuning; unfroze in '{baseModel.Name}': {Layer.Describe(unfrozen)}{bnNote}; {optimizer.Name} at learning rate {PythonFormat.Repr(optimizer.LearningRate)}{multiplier}{(options.Schedule == "cosine" ? " on a cosine" : "")}; {TrainableParams():N0} trainable parameters."));
        var callbacks = new List<Callback>();
        if (options.Schedule == "cosine")
        {
            double start = optimizer.LearningRate;
            int epochs = options.FineTuneEpochs;
            callbacks.Add(new LearningRateScheduler(e => start * 0.5 * (1 + Math.Cos(Math.PI * e / epochs))));
        }
        callbacks.AddRange(options.Callbacks);
        if (options.FineTunePatience is int p)
            callbacks.Add(new EarlyStopping(options.Monitor ?? "val_loss", patience: p, restoreBestWeights: options.RestoreBestWeights) { Output = options.Output });
        try
        {
            History h = model.Fit(train, options.FineTuneEpochs, options.Verbose, callbacks, judge, classWeight);
            string? bad = model.Weights.FirstOrDefault(v => !v.Value.isfinite().all().item<bool>())?.Name;
            return (h, unfrozen, keptFrozen, bad is null ? null : $"weight '{bad}' is not finite after fine-tuning");
        }
        catch (TrainingException e)
        {
            return (new History(), unfrozen, keptFrozen, e.Message);
        }
    }

    private bool Decide(bool[] frozen, bool[]? tuned, double[] w, string? failure, int count)
    {
        double frozenAcc = Accuracy(frozen, w);
        if (tuned is null)
        {
            Choose("fine-tuning", "reverted", $"{failure}; the frozen-base model is the result");
            return false;
        }
        var (gain, se) = PairedGain(frozen, tuned, w);
        string numbers = $"on {count} held-out images: {Accuracy(tuned, w):0.000} fine-tuned against {frozenAcc:0.000} frozen, a gain of {gain:+0.000;-0.000} ± {se:0.000} (standard error)";
        if (options.KeepFineTuning == "always")
        {
            Choose("fine-tuning", "kept", numbers + " (KeepFineTuning = \"always\")");
            return true;
        }
        bool keep = gain > 0 && gain > se;
        Choose("fine-tuning", keep ? "kept" : "reverted",
               numbers + (keep ? "" : gain <= 0 ? ": no better, so the frozen-base model is the result" : ": within noise, so the frozen-base model is the result"));
        return keep;
    }

    /// <summary>The weighted accuracy difference (b − a) of paired outcomes and its standard error.</summary>
    internal static (double Gain, double StandardError) PairedGain(bool[] a, bool[] b, double[] w)
    {
        double total = w.Sum();
        double gain = 0;
        for (int i = 0; i < a.Length; i++) gain += w[i] * ((b[i] ? 1 : 0) - (a[i] ? 1 : 0));
        gain /= total;
        double variance = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (b[i] ? 1 : 0) - (a[i] ? 1 : 0) - gain;
            variance += w[i] * w[i] * d * d;
        }
        return (gain, Math.Sqrt(variance) / total);
    }

    private static double Accuracy(bool[] right, double[] w) => right.Select((r, i) => r ? w[i] : 0).Sum() / w.Sum();

    /// <summary>The model's (with its test-time augmentation) predicted class of each sample at <paramref name="indices"/>.</summary>
    private int[] Predict(SampleSet data, int[] indices, int batchSize)
    {
        var predicted = new List<int>();
        foreach (Tensor x in data.Inputs(indices, batchSize))
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            scope.Attach(x);
            predicted.AddRange(model.Infer(x.to(Backend.Device)).argmax(-1).cpu().data<long>().ToArray().Select(p => (int)p));
        }
        return predicted.ToArray();
    }

    private static Dictionary<int, double> ClassWeights(int[] labels, double[] weights)
    {
        var map = new Dictionary<int, double>();
        for (int i = 0; i < labels.Length; i++) map[labels[i]] = weights[i];
        return map;
    }

    private long TrainableParams() => model.TrainableWeights.Sum(v => v.Count);

    private void Choose(string name, string value, string reason)
    {
        var choice = new FineTuneChoice(name, value, reason);
        _choices.Add(choice);
        Say(choice.ToString());
    }

    private void Say(string message)
    {
        if (options.Verbose > 0) _log.WriteLine(message);
    }

    /// <summary>Weight copies that are disposed with the scope.</summary>
    private sealed class WeightsSnapshot(Tensor[] values) : IDisposable
    {
        public Tensor[] Values { get; } = values;

        public void Dispose()
        {
            foreach (Tensor t in Values) t.Dispose();
        }
    }
}
