using System.Diagnostics;
using Tanuki.Applications;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// Where a training step's time goes: the step of <c>Fit</c> (<c>TrainStep</c>) taken apart on the pretrained ResNet-18
/// classifier, base called with training: false (the fine-tuning step) or in training mode (<c>--task full</c>):
/// forward, loss, backward, Adam, the after-step finiteness check, each averaged over <c>--reps</c> steps after one.
/// <c>phases [--size 96] [--batch 32] [--reps 6] [--task finetune|full] [--precision fp32|bf16]</c>.
/// </summary>
internal static class Phases
{
    public static int Run(Args args)
    {
        int size = args.Int("size", 96), batch = args.Int("batch", 32), reps = args.Int("reps", 6);
        bool bf16 = args.String("precision", "fp32") == "bf16";
        bool full = args.String("task", "finetune") == "full";
        args.CheckAllRead();
        var (x, y, baseModel) = TanukiPeer.Batch(size, batch);
        Model model = TanukiPeer.Classifier(baseModel, size, training: full ? null : false);
        model.Execution.TrainingPrecision = bf16 ? TrainingPrecision.MixedBFloat16 : TrainingPrecision.Float32;
        var opt = new Adam(1e-4);
        var loss = new SparseCategoricalCrossentropy(fromLogits: true);
        var weights = model.TrainableWeights;
        foreach (var v in model.Weights) v.SetRequiresGrad(weights.Contains(v));
        var finite = new FiniteWeights(weights);
        var t = new double[5];
        for (int r = 0; r < reps + 1; r++)
        {
            using var scope = NewDisposeScope();
            var sw = Stopwatch.StartNew();
            finite.Snapshot();
            Tensor p = model.Call(x, training: true);
            double a = sw.Elapsed.TotalMilliseconds;
            Tensor l = loss.Call(y, p, null);
            l.item<float>();
            double b = sw.Elapsed.TotalMilliseconds;
            var grads = torch.autograd.grad([l], weights.Select(v => v.Value).ToList(), allow_unused: true);
            double c = sw.Elapsed.TotalMilliseconds;
            opt.ApplyGradients(grads.ToList()!, weights);
            double d = sw.Elapsed.TotalMilliseconds;
            finite.FirstNonFinite();
            double e = sw.Elapsed.TotalMilliseconds;
            if (r == 0) continue;
            t[0] += a; t[1] += b - a; t[2] += c - b; t[3] += d - c; t[4] += e - d;
        }
        model.Compile(opt, loss);
        model.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0, shuffle: false);
        var fit = Stopwatch.StartNew();
        for (int r = 0; r < reps; r++) model.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0, shuffle: false);
        Console.WriteLine($"one Fit call per step: {fit.Elapsed.TotalMilliseconds / reps:0.0} ms");
        Console.WriteLine($"{(full ? "full" : "fine-tuning")} step, {(bf16 ? "mixed bf16" : "float32")}, {size}², batch {batch}: forward {t[0] / reps:0.0} ms, loss {t[1] / reps:0.0}, backward {t[2] / reps:0.0}, adam {t[3] / reps:0.0}, finite {t[4] / reps:0.0}; total {t.Sum() / reps:0.0}");
        return 0;
    }
}
