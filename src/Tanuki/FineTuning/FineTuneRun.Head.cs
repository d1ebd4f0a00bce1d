using System.Diagnostics;
using System.Globalization;
using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.FineTuning;

internal sealed partial class FineTuneRun
{
    private bool UseLogisticHead(Dense? head, string? noPrefix)
    {
        string why = head is null
            ? noPrefix is not null ? $"the frozen part cannot be computed once per image ({noPrefix})" : "the head is not a single Dense layer on the frozen features"
            : LossMatches(head) ? "" : $"the loss ({_model.Loss!.Name}) is not the cross-entropy of the head's {(head.Activation.Name == "softmax" ? "probabilities" : "logits")}";
        bool possible = why.Length == 0;
        if (_options.Head == "logistic" && !possible)
            throw new ArgumentException($"Head = \"logistic\" needs a head that is one Dense layer (linear or softmax) on the frozen features, trained with a (sparse) categorical cross-entropy; here {why}. Use Head = \"fit\" or \"auto\".");
        if (_options.Head == "fit")
            Choose("head", "trained with Fit", $"Head = \"fit\": {_options.HeadEpochs} epochs with the compiled optimizer on the frozen base");
        else if (!possible)
            Choose("head", "trained with Fit", $"{why}, so it trains with the compiled optimizer for up to {_options.HeadEpochs} epochs instead of being fitted as a logistic regression");
        return possible && _options.Head != "fit";
    }

    private bool LossMatches(Dense head)
    {
        bool logits = head.Activation.Name == "linear";
        return _model.Loss switch
        {
            SparseCategoricalCrossentropy s => s.FromLogits == logits,
            CategoricalCrossentropy c => c.FromLogits == logits,
            _ => false,
        };
    }

    private (HeadFit, bool Flip) FitLogisticHead(FrozenPrefix prefix, Dense head, SampleSet train, double[] weights, int[] fitIdx,
                                                 SampleSet? validation, int[]? heldIdx)
    {
        long[] sampleShape = _model.Inputs[0].Shape[1..];
        bool images = sampleShape.Length == 3;
        int views = images ? _options.AugmentedViews ?? (train.Count <= 2000 ? 6 : 2) : 1;
        if (views < 1) throw new ArgumentOutOfRangeException(nameof(_options), views, $"Expected at least 1 augmented view. Received: AugmentedViews={views}");
        var clock = Stopwatch.StartNew();
        Tensor features = FrozenFeatures.Compute(prefix, train, train.All(), views, _options.Seed, sampleShape, _options.Verbose > 0 ? _log : null, _cancellationToken);
        Choose("frozen features", $"{train.Count} images × {views} views",
               $"the frozen base ran once on {FeatureViews.Describe(views)} ({clock.Elapsed.TotalSeconds:0.0}s); the head trains on these cached features");

        int folds = Math.Min(_options.CrossValidationFolds, train.Count);
        var (search, outOfFold) = HeadSearch.Run(features, train.Labels, weights, head.Units, folds, _options.Seed, _cancellationToken);
        HeadCandidate best = search[0];
        bool flip = _options.TestTimeAugmentation switch
        {
            "flip" => true,
            "none" => false,
            _ => best.FlipAverage,
        };
        if (_options.TestTimeAugmentation == "auto" && flip != best.FlipAverage) throw new UnreachableException();
        Choose("head", $"logistic regression, L2 = {best.L2.ToString(CultureInfo.InvariantCulture)}",
               $"stratified {folds}-fold cross-validation over {HeadSearch.Penalties.Length} penalties: out-of-fold accuracy {best.Accuracy:0.000}, cross-entropy {best.LogLoss:0.000}" +
               (_options.BalanceClasses ? " (class-weighted)" : ""));
        if (images)
        {
            HeadCandidate? other = search.FirstOrDefault(c => c.L2 == best.L2 && c.FlipAverage != flip);
            Choose("test-time augmentation", flip ? "mirror-image average" : "none",
                   _options.TestTimeAugmentation != "auto" ? $"TestTimeAugmentation = \"{_options.TestTimeAugmentation}\""
                   : other is null ? "one view only" : $"cross-validated cross-entropy {best.LogLoss:0.000} against {other.LogLoss:0.000} {(flip ? "without" : "with")} it");
        }
        var fit = new HeadFit(features, train.Labels, weights, best.L2, head.Units, search, outOfFold);
        fit.SetHead(head, fitIdx);
        if (heldIdx is not null) fit.JudgePredictions = fit.Predict(heldIdx, flip);
        else if (validation is not null)
        {
            using Tensor judgeFeatures = FrozenFeatures.Compute(prefix, validation, validation.All(), flip ? 2 : 1, _options.Seed, sampleShape, null, _cancellationToken);
            fit.JudgePredictions = fit.Predict(judgeFeatures, flip);
        }
        return (fit, flip);
    }

    private History FitHeadWithFit(SampleSet train, SampleSet? validation, int[] fitIdx, int[]? heldIdx, int batchSize, Dictionary<int, double>? classWeight)
    {
        if (_options.HeadEpochs == 0) return new History();
        var val = validation?.Batches(validation.All(), batchSize, shuffle: false, 0) ?? (heldIdx is null ? null : train.Batches(heldIdx, batchSize, shuffle: false, 0));
        string monitor = _options.Monitor ?? (val is null ? "loss" : "val_loss");
        EarlyStopping? stop = _options.HeadPatience is int p ? new EarlyStopping(monitor, patience: p, restoreBestWeights: _options.RestoreBestWeights) { Output = _options.Output } : null;
        Say($"Stage 1/2: training the head, '{_base.Name}' frozen ({_base.CountParams():N0} parameters); {TrainableParams():N0} trainable parameters.");
        return _model.Fit(train.Batches(fitIdx, batchSize, shuffle: true, _options.Seed), _options.HeadEpochs, _options.Verbose,
                         [.. _options.Callbacks, .. stop is null ? Array.Empty<Callback>() : [stop]], val, classWeight,
                         options: FitOptions("head"), cancellationToken: _cancellationToken);
    }
}
