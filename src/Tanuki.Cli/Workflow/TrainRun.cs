using System.Diagnostics;
using Tanuki.Callbacks;
using Tanuki.Data;
using Tanuki.FineTuning;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Cli.Workflow;

/// <summary>What <see cref="TrainRun.Execute"/> produced.</summary>
internal sealed class TrainOutcome
{
    public required TransferModel Model { get; init; }

    /// <summary>The recipe's result (a pretrained base); null for a base trained from scratch.</summary>
    public FineTuneResult? Recipe { get; init; }

    /// <summary>The epochs of training from scratch; null with a pretrained base.</summary>
    public History? Scratch { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>
    /// Set when training was cancelled (Ctrl+C): <see cref="TrainingCanceledException.CompletedStages"/> says whether the
    /// model holds a finished result (the frozen-base model of stage 1, or better) that is worth writing.
    /// </summary>
    public TrainingCanceledException? Interruption { get; init; }
}

/// <summary>
/// <c>tanuki train</c>'s and <c>tanuki demo</c>'s shared step: build the classifier on the base and train it — with
/// the library's recipe (<see cref="Model.FineTune(Layer, Dataset, Dataset?, FineTuneOptions?, CancellationToken)"/>) for a pretrained
/// base, or with <c>Fit</c> for one from scratch.
/// </summary>
internal static class TrainRun
{
    /// <summary>Builds and trains; <paramref name="cancellationToken"/> stops training as <c>Model.FineTune</c> and <c>Fit</c> say.</summary>
    public static TrainOutcome Execute(TrainSettings s, int classes, IReadOnlyList<string> classNames, Dataset train, Dataset? validation, TextWriter log,
                                       IReadOnlyList<Callback>? callbacks = null, CancellationToken cancellationToken = default)
    {
        TransferModel m;
        try
        {
            m = TransferModel.Create(s.ImageBase, classes, s.Size, s.Augment, s.Dropout, s.Seed, s.Pretrained);
        }
        catch (NotSupportedException e) when (s.IsOnnx)
        {
            throw new CliException($"--base {s.Base} cannot be imported: {e.Message}");
        }
        if (s.Pretrained && s.FineTuneEpochs > 0) CheckUnfreeze(m, s.Unfreeze);
        Commands.MemoryCheck.RequireForTraining(m.Classifier, trainsAll: s.FineTuneEpochs > 0 || !s.Pretrained, s.Size, s.BatchSize);
        m.Classifier.ClassNames = classNames;
        m.Classifier.ImageResize = s.ResizeMode;
        m.Classifier.Execution.TrainingPrecision = s.Precision;   // the base inside follows its classifier
        log.WriteLine($"Model: {(s.Pretrained ? s.ImageBase.Description : "ResNet-18 from random weights")}, {m.Base.CountParams():N0} parameters, " +
                      $"+ head ({m.Head.CountParams():N0} parameters)" +
                      (s.Precision == TrainingPrecision.MixedBFloat16 ? "; training steps in mixed bfloat16 (weights float32)" : ""));
        if (s.Precision == TrainingPrecision.MixedBFloat16 && Tanuki.Native.CpuFeatures.BFloat16 == false)
            log.WriteLine("note: this CPU has no bfloat16 instructions (AVX-512 BF16 or AMX), so libtorch emulates them: " +
                          "--training-precision mixed_bfloat16 will likely train slower than float32 here.");
        var loss = new SparseCategoricalCrossentropy(fromLogits: true);
        m.Classifier.Compile(new Adam(s.LearningRate), loss, ["accuracy"]);
        var clock = Stopwatch.StartNew();
        if (s.Pretrained)
        {
            try
            {
                FineTuneResult r = m.Classifier.FineTune(m.Base, train, validation, s.ToFineTuneOptions(log, callbacks ?? []), cancellationToken);
                return new TrainOutcome { Model = m, Recipe = r, Duration = clock.Elapsed };
            }
            catch (TrainingCanceledException e)
            {
                return new TrainOutcome { Model = m, Interruption = e, Duration = clock.Elapsed };
            }
        }
        log.WriteLine($"Training ResNet-18 from random weights ({s.Epochs} epoch{(s.Epochs == 1 ? "" : "s")} at learning rate {s.LearningRate:g})");
        var stop = validation is not null && s.Patience > 0 ? new List<Callback> { new EarlyStopping("val_loss", patience: s.Patience, restoreBestWeights: true) } : [];
        try
        {
            History h = m.Classifier.Fit(train, s.Epochs, s.Verbose, stop, validation, cancellationToken: cancellationToken);
            return new TrainOutcome { Model = m, Scratch = h, Duration = clock.Elapsed };
        }
        catch (TrainingCanceledException e)
        {
            return new TrainOutcome { Model = m, Interruption = e, Duration = clock.Elapsed };
        }
    }

    private static void CheckUnfreeze(TransferModel m, string spec)
    {
        try
        {
            m.Base.CheckUnfreezeSpec(spec);
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new CliException($"--unfreeze {spec}: a fraction of the base must be in (0, 1]; 0.3 unfreezes its last 30% of layers, 1 all of it.");
        }
        catch (ArgumentException)
        {
            throw new CliException($"--unfreeze {spec}: no layer of the base is named so or starts with it. Use 'all', a fraction of the base " +
                                   $"such as 0.3, or where to start: {string.Join(", ", m.ImageBase.Blocks)} (or a layer name prefix, such as stage5_block2).");
        }
    }
}
