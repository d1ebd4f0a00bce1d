using System.Diagnostics;
using Tanuki.Callbacks;
using Tanuki.Data;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.Cli.Workflow;

/// <summary>What the two stages produced.</summary>
internal sealed class TwoStageResult
{
    public required History Stage1 { get; init; }
    public History? Stage2 { get; init; }
    public required double Stage1Accuracy { get; init; }
    public double? Stage2Accuracy { get; init; }
    public required int[,] Confusion { get; init; }
    public required TimeSpan Stage1Time { get; init; }
    public TimeSpan? Stage2Time { get; init; }
    public string? Unfrozen { get; init; }
    public double FinalAccuracy => Stage2Accuracy ?? Stage1Accuracy;
}

/// <summary>
/// The Keras guide's workflow: freeze the pretrained base and train the head (stage 1), then unfreeze and
/// fine-tune everything at a low learning rate (stage 2), each with early stopping that restores the best epoch.
/// </summary>
internal static class TwoStageTraining
{
    public static TwoStageResult Run(TransferModel m, TrainSettings s, Dataset train, Dataset? validation, Dataset evaluation, string evaluatedOn,
                                     int classes, TextWriter log)
    {
        var loss = new SparseCategoricalCrossentropy(fromLogits: true);
        bool pretrained = s.Base == "resnet18";
        if (pretrained) m.Base.Trainable = false;
        Model stage1Model = pretrained ? m.Classifier : m.Training;
        stage1Model.Compile(new Adam(s.LearningRate), loss, ["accuracy"]);
        log.WriteLine(pretrained
            ? $"Stage 1: the pretrained base is frozen; training the head ({Epochs(s.Epochs)} at learning rate {s.LearningRate:g})"
            : $"Training ResNet-18 from random weights ({Epochs(s.Epochs)} at learning rate {s.LearningRate:g})");
        var clock = Stopwatch.StartNew();
        History h1 = stage1Model.Fit(train, s.Epochs, s.Verbose, Stopping(s, validation), validation);
        TimeSpan t1 = clock.Elapsed;
        var (confusion1, acc1) = Evaluate(m.Classifier, evaluation, classes);
        log.WriteLine($"{(pretrained ? "Stage 1" : "Training")} accuracy on the {evaluatedOn}: {acc1:0.0000} ({t1.TotalSeconds:0}s)");
        if (!pretrained || s.FineTuneEpochs == 0)
            return new TwoStageResult { Stage1 = h1, Stage1Accuracy = acc1, Confusion = confusion1, Stage1Time = t1 };

        string unfrozen = m.Unfreeze(s.Unfreeze);
        m.Training.Compile(new Adam(s.FineTuneLearningRate), loss, ["accuracy"]);
        log.WriteLine($"Stage 2: fine-tuning {unfrozen} with the head ({Epochs(s.FineTuneEpochs)}, learning rate {s.FineTuneLearningRate:g} decaying on a cosine; " +
                      "BatchNormalization stays in inference mode" + (s.Augment.Count > 0 ? $"; augmentation: {string.Join(", ", s.Augment)})" : ")"));
        clock.Restart();
        // The rate decays from --fine-tune-lr towards 0 on half a cosine over the stage (measured better than a constant rate).
        double start = s.FineTuneLearningRate;
        var cosine = new LearningRateScheduler(e => start * 0.5 * (1 + Math.Cos(Math.PI * e / s.FineTuneEpochs)));
        // Stage 2 keeps its best epoch by validation accuracy: fine-tuning makes the model more confident, so the
        // validation loss can rise while accuracy still improves (measured on the demo: the best val_loss was the
        // first epoch, whose test accuracy was below the frozen stage's).
        History h2 = m.Training.Fit(train, s.FineTuneEpochs, s.Verbose, [cosine, .. Stopping(s, validation, "val_accuracy")], validation);
        TimeSpan t2 = clock.Elapsed;
        var (confusion2, acc2) = Evaluate(m.Classifier, evaluation, classes);
        log.WriteLine($"Stage 2 accuracy on the {evaluatedOn}: {acc2:0.0000} ({t2.TotalSeconds:0}s)");
        return new TwoStageResult
        {
            Stage1 = h1, Stage2 = h2, Stage1Accuracy = acc1, Stage2Accuracy = acc2, Confusion = confusion2,
            Stage1Time = t1, Stage2Time = t2, Unfrozen = unfrozen,
        };
    }

    private static string Epochs(int n) => n == 1 ? "1 epoch" : $"{n} epochs";

    private static List<Callback> Stopping(TrainSettings s, Dataset? validation, string monitor = "val_loss") =>
        validation is not null && s.Patience > 0 ? [new EarlyStopping(monitor, patience: s.Patience, restoreBestWeights: true)] : [];

    /// <summary>Confusion counts (rows true, columns predicted) and accuracy of a classifier on labelled batches.</summary>
    public static (int[,] Confusion, double Accuracy) Evaluate(Model model, Dataset data, int classes)
    {
        var counts = new int[classes, classes];
        long right = 0, total = 0;
        var inference = new Tanuki.Inference.InferencePass(model, first => Model.ExpectedSamples(data, first));   // the model's inference engine
        foreach (var (x, y) in data)
        {
            using var scope = NewDisposeScope();
            scope.Attach(x);
            scope.Attach(y);
            long[] predicted = inference.Run(x).argmax(-1).cpu().data<long>().ToArray();
            long[] truth = y.reshape(-1).to_type(ScalarType.Int64).cpu().data<long>().ToArray();
            for (int i = 0; i < truth.Length; i++)
            {
                counts[truth[i], predicted[i]]++;
                if (truth[i] == predicted[i]) right++;
                total++;
            }
        }
        return (counts, total == 0 ? 0 : right / (double)total);
    }
}
