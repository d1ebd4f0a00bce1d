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
    /// <summary>
    /// Fine-tuning won on the held-out images: run it again the same way from the frozen-base model on every
    /// training image (the held-out ones too), as the judged run trained on only part of them. Should that run fail,
    /// the judged model stays.
    /// </summary>
    private void Refit(SampleSet train, Tensor[] frozenWeights, HeadFit? fitted, Dense? head, int batchSize, Dictionary<int, double>? classWeight)
    {
        using var judgedWeights = new WeightsSnapshot(_model.GetWeights());
        _model.SetWeights(frozenWeights);
        _base.Freeze();
        if (fitted is not null) fitted.SetAllDataHead(head!);
        Say($"Refitting: fine-tuning again from the frozen-base model on all {train.Count} training images.");
        string? failure;
        try
        {
            (_, _, _, failure) = FineTune(train.Batches(train.All(), batchSize, shuffle: true, _options.Seed + 1), null, classWeight);
        }
        catch (OperationCanceledException e)
        {
            _model.SetWeights(judgedWeights.Values);
            throw new TrainingCanceledException(
                "Fine-tuning was cancelled while refitting on all the images; the fine-tuned model judged on the held-out images (which beat the frozen-base model) was put back.",
                (e as TrainingCanceledException)?.History ?? new History(), 2, _cancellationToken, e);
        }
        if (failure is null)
        {
            Choose("refit", $"on all {train.Count} images", "fine-tuning won on the held-out images, so it ran again on every training image");
            return;
        }
        _model.SetWeights(judgedWeights.Values);
        Choose("refit", "failed", $"{failure}; the fine-tuned model judged on the held-out images is the result");
    }

    private (History, IReadOnlyList<Layer>, IReadOnlyList<Layer>, string?) FineTune(Data.Dataset train, Data.Dataset? judge, Dictionary<int, double>? classWeight)
    {
        IReadOnlyList<Layer> unfrozen = _base.UnfreezeBySpec(_options.Unfreeze);
        var keptFrozen = new List<Layer>();
        if (!_options.TrainBatchNorm)
        {
            var inTrainingMode = BatchNormInference.ReachedInTrainingMode(_model);
            foreach (Layer layer in unfrozen)
            {
                if (layer is not BatchNormalization bn || !inTrainingMode.Contains(bn)) continue;
                bn.Trainable = false;
                keptFrozen.Add(bn);
            }
        }
        Optimizer optimizer = _options.FineTuneOptimizer ?? new Adam(_options.FineTuneLearningRate);
        optimizer.Reset();
        if (_options.BaseLearningRateMultiplier != 1) optimizer.SetLearningRateMultiplier(_base.Weights, _options.BaseLearningRateMultiplier);
        _model.Compile(optimizer, _model.Loss!, _model.Metrics);
        string bnNote = keptFrozen.Count > 0
            ? $"; kept {keptFrozen.Count} BatchNormalization layers frozen so they stay in inference mode (call the base with training: false to train their gamma and beta)"
            : "";
        string multiplier = _options.BaseLearningRateMultiplier != 1 ? $" (base × {PythonFormat.Repr(_options.BaseLearningRateMultiplier)})" : "";
        Say(string.Create(CultureInfo.InvariantCulture,
            $"Stage 2/2: fine-tuning; unfroze in '{_base.Name}': {Layer.Describe(unfrozen)}{bnNote}; {optimizer.Name} at learning rate {PythonFormat.Repr(optimizer.LearningRate)}{multiplier}{(_options.Schedule == "cosine" ? " on a cosine" : "")}; {TrainableParams():N0} trainable parameters."));
        var callbacks = new List<Callback>();
        if (_options.Schedule == "cosine")
        {
            double start = optimizer.LearningRate;
            int epochs = _options.FineTuneEpochs;
            callbacks.Add(new LearningRateScheduler(e => start * 0.5 * (1 + Math.Cos(Math.PI * e / epochs))));
        }
        callbacks.AddRange(_options.Callbacks);
        if (_options.FineTunePatience is int p)
            callbacks.Add(new EarlyStopping(_options.Monitor ?? "val_loss", patience: p, restoreBestWeights: _options.RestoreBestWeights) { Output = _options.Output });
        try
        {
            History h = _model.Fit(train, _options.FineTuneEpochs, _options.Verbose, callbacks, judge, classWeight,
                                   options: FitOptions("fine-tuning"), cancellationToken: _cancellationToken);
            string? bad = _model.Weights.FirstOrDefault(v => !v.Value.isfinite().all().item<bool>())?.Name;
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
        if (_options.KeepFineTuning == "always")
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
            predicted.AddRange(_model.Infer(x.to(Backend.Device)).argmax(-1).cpu().data<long>().ToArray().Select(p => (int)p));
            _cancellationToken.ThrowIfCancellationRequested();
        }
        return predicted.ToArray();
    }

    private static bool[] Right(int[] predicted, int[] labels) => predicted.Select((p, i) => p == labels[i]).ToArray();

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
