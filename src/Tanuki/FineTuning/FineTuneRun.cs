using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.FineTuning;

/// <summary>
/// One run of the transfer-learning recipe (<see cref="Model.FineTune(Layer, Data.Dataset, Data.Dataset?, FineTuneOptions?, CancellationToken)"/>),
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
internal sealed partial class FineTuneRun(Model model, Layer baseModel, FineTuneOptions options, CancellationToken cancellationToken = default)
{
    private readonly Model _model = model;
    private readonly Layer _base = baseModel;
    private readonly FineTuneOptions _options = options;
    private readonly List<FineTuneChoice> _choices = [];
    private readonly TextWriter _log = options.Output ?? Console.Out;
    private readonly CancellationToken _cancellationToken = cancellationToken;

    public FineTuneResult Execute(SampleSet train, SampleSet? validation, int batchSize)
    {
        int n = train.Count;
        double[] weights = _options.BalanceClasses ? HeadSearch.BalancedWeights(train.Labels) : Enumerable.Repeat(1.0, n).ToArray();
        Dictionary<int, double>? classWeight = _options.BalanceClasses ? ClassWeights(train.Labels, weights) : null;
        DescribeData(train, classWeight);

        _base.Freeze();
        FeatureCacheDecision found = FrozenPrefix.Find(_model, new HashSet<Variable>(_model.TrainableWeights), inference: true);
        FrozenPrefix? prefix = found.Prefix;
        Dense? head = prefix?.LinearHead();
        bool logistic = UseLogisticHead(head, prefix is null ? found.Describe() : null);

        // Where fine-tuning is judged: the validation data, or a stratified hold-out of the training images.
        bool stage2 = _options.FineTuneEpochs > 0;
        int[] fitIdx = train.All();
        int[]? heldIdx = null;
        if (stage2 && validation is null)
        {
            (fitIdx, heldIdx) = StratifiedFolds.Split(train.Labels, _options.FineTuneValidationSplit, _options.Seed);
            int held = heldIdx.Length;
            if (held < _options.FineTuneMinimumValidation)
            {
                stage2 = false;
                (fitIdx, heldIdx) = (train.All(), null);
                Choose("fine-tuning", "skipped",
                       $"holding out {_options.FineTuneValidationSplit:P0} of {n} images leaves {held} to judge it, fewer than {_options.FineTuneMinimumValidation}: " +
                       "too few to tell a gain from noise, so the frozen-base model, trained on all the images, is the result");
            }
        }
        else if (stage2 && validation!.Count < _options.FineTuneMinimumValidation)
        {
            stage2 = false;
            Choose("fine-tuning", "skipped", $"{validation.Count} validation images are fewer than {_options.FineTuneMinimumValidation}: too few to tell a gain from noise");
        }

        var history1 = new History();
        HeadFit? fitted = null;
        bool flip = false;
        if (logistic) (fitted, flip) = FitLogisticHead(prefix!, head!, train, weights, fitIdx, validation, heldIdx);
        else history1 = FitHeadWithFit(train, validation, fitIdx, heldIdx, batchSize, classWeight);
        _model.TestTimeAugmentation = flip ? TestTimeAugmentation.HorizontalFlip : TestTimeAugmentation.None;

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
        double[] judgeWeights = _options.BalanceClasses ? HeadSearch.BalancedWeights(judgeLabels) : Enumerable.Repeat(1.0, judgeIdx.Length).ToArray();
        using var snapshot = new WeightsSnapshot(_model.GetWeights());
        try
        {
            int[] frozenPredicted = fitted?.JudgePredictions ?? Predict(judge, judgeIdx, batchSize);
            return FineTuneStage(train, fitIdx, fitted, head, heldIdx, judge, judgeIdx, judgeLabels, judgeWeights, frozenPredicted, validation is null,
                                 outOfFold, history1, batchSize, classWeight, snapshot);
        }
        catch (OperationCanceledException e) when (e is not TrainingCanceledException { CompletedStages: > 0 })
        {
            // Cancelled in stage 2: the frozen-base model, as if fine-tuning had been reverted, is the best finished result.
            _model.SetWeights(snapshot.Values);
            _base.Freeze();
            if (fitted is not null && heldIdx is not null) fitted.SetAllDataHead(head!);
            throw new TrainingCanceledException(
                "Fine-tuning was cancelled in stage 2; the frozen-base model of stage 1 (its head on the frozen base) was put back.",
                (e as TrainingCanceledException)?.History ?? new History(), 1, _cancellationToken, e);
        }
        finally
        {
            fitted?.Dispose();
        }
    }

    /// <summary>Stage 2: fine-tune, judge against the frozen-base model, keep the better (and refit it on all the images).</summary>
    private FineTuneResult FineTuneStage(SampleSet train, int[] fitIdx, HeadFit? fitted, Dense? head, int[]? heldIdx, SampleSet judge, int[] judgeIdx, int[] judgeLabels,
                                         double[] judgeWeights, int[] frozenPredicted, bool heldOut, (int[], int[], string)? outOfFold, History history1,
                                         int batchSize, Dictionary<int, double>? classWeight, WeightsSnapshot snapshot)
    {
        var (history2, unfrozen, keptFrozen, failure) = FineTune(train.Batches(fitIdx, batchSize, shuffle: true, _options.Seed),
                                                                  judge.Batches(judgeIdx, batchSize, shuffle: false, 0), classWeight);
        int[]? tunedPredicted = failure is null ? Predict(judge, judgeIdx, batchSize) : null;
        bool[] frozenRight = Right(frozenPredicted, judgeLabels);
        bool[]? tunedRight = tunedPredicted is null ? null : Right(tunedPredicted, judgeLabels);
        bool keep = Decide(frozenRight, tunedRight, judgeWeights, failure, judgeIdx.Length);
        string judged = heldOut ? $"the {judgeIdx.Length} held-out training images" : $"the {judgeIdx.Length} validation images";
        if (keep)
        {
            outOfFold = (judgeLabels, tunedPredicted!, $"{judged} (fine-tuned model)");
            if (heldIdx is not null && _options.RefitOnAllData) Refit(train, snapshot.Values, fitted, head, batchSize, classWeight);
        }
        else
        {
            _model.SetWeights(snapshot.Values);
            _base.Freeze();
            if (fitted is not null && heldIdx is not null) fitted.SetAllDataHead(head!);
            outOfFold ??= (judgeLabels, frozenPredicted, $"{judged} (frozen-base model)");
        }
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

    private static Dictionary<int, double> ClassWeights(int[] labels, double[] weights)
    {
        var map = new Dictionary<int, double>();
        for (int i = 0; i < labels.Length; i++) map[labels[i]] = weights[i];
        return map;
    }

    private long TrainableParams() => _model.TrainableWeights.Sum(v => v.Count);

    private void Choose(string name, string value, string reason)
    {
        var choice = new FineTuneChoice(name, value, reason);
        _choices.Add(choice);
        Say(choice.ToString());
    }

    private void Say(string message)
    {
        if (_options.Verbose > 0) _log.WriteLine(message);
        _options.Logger?.LogInformation("{Message}", message);
    }

    /// <summary>How a stage's <c>Fit</c> reports: where the recipe does, labelled with the stage.</summary>
    private FitOptions FitOptions(string stage) => new() { Output = _options.Output, Logger = _options.Logger, Progress = _options.Progress, Stage = stage };

}
