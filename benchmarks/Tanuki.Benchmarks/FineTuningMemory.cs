using System.Diagnostics;
using Tanuki.Applications;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Native;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// Memory over many fine-tuning steps of the ResNet-18 graph (issue 16): <c>tanuki train</c>'s classifier
/// (preprocessing → ResNet-18 → GAP → Dropout → Dense(10)) with the whole base unfrozen, trained by one-step Fit calls
/// (batch 8) on random images. Every 50 steps it prints the process's RSS, the managed heap and the live-tensor count,
/// and at the end how many native Scalars were left to the finalizer. Nothing collects garbage between steps (unless
/// <c>--gc</c>, for comparison): native memory must be freed by dispose scopes, not by finalizers.
/// </summary>
internal static class FineTuningMemory
{
    public static int Run(Args args)
    {
        int steps = args.Int("steps", 1000), size = args.Int("size", 32);
        bool bnTrain = args.String("bn", "inference") == "train";
        string? weights = args.String("base", "imagenet") == "scratch" ? null : "imagenet";
        bool collect = args.Flag("gc");
        args.CheckAllRead();
        Backend.EnsureInitialized();
        TanukiInfo.SetRandomSeed(1);

        Model baseModel = ResNet18.Create(weights, includeTop: false, inputShape: [3, size, size]);
        var input = new Input(3, size, size);
        SymbolicTensor x = new ResNet18Preprocessing().Call(input);
        x = baseModel.Call(x, training: bnTrain ? null : false);
        x = new GlobalAveragePooling2D().Call(x);
        x = new Dropout(0.2).Call(x);
        var model = new Model(input, new Dense(10).Call(x));
        baseModel.Trainable = true;
        model.Compile(new Adam(1e-5), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        Tensor images = (rand(8, 3, size, size) * 255).DetachFromDisposeScope(), labels = randint(0, 10, [8]).DetachFromDisposeScope();

        Console.WriteLine($"ResNet-18 ({weights ?? "random weights"}), {size}², batch 8, BatchNormalization {(bnTrain ? "training" : "in inference mode")}, " +
                          $"{steps} one-step Fit calls{(collect ? ", GC.Collect after each" : "")}; {Environment.ProcessorCount} cores");
        model.Fit(images, labels, batchSize: 8, epochs: 1, verbose: 0);   // builds what the first step needs
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var finalized = new FinalizedScalars();
        var clock = Stopwatch.StartNew();
        long rss10 = 0, live10 = 0;
        for (int step = 1; step <= steps; step++)
        {
            model.Fit(images, labels, batchSize: 8, epochs: 1, verbose: 0);
            if (collect) { GC.Collect(); GC.WaitForPendingFinalizers(); }
            if (step == 10) (rss10, live10) = (Rss(), DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            if (step % 50 == 0 || step == 10 || step == steps)
                Console.WriteLine($"step {step,5}: RSS {Rss() >> 20,6} MiB, managed heap {GC.GetGCMemoryInfo().HeapSizeBytes >> 20,5} MiB, " +
                                  $"live tensors {DisposeScopeManager.Statistics.ThreadTotalLiveCount,5}, {clock.Elapsed.TotalSeconds,7:0.0} s");
        }
        Console.WriteLine($"from step 10 to {steps}: RSS {(Rss() - rss10) / 1048576.0:+0.0;-0.0} MiB, " +
                          $"live tensors {DisposeScopeManager.Statistics.ThreadTotalLiveCount - live10:+0;-0}");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Thread.Sleep(3000);   // the runtime's events arrive on another thread
        Console.WriteLine($"native Scalars left to the finalizer over the {steps} steps: {finalized.Count}");
        return 0;
    }

    private static long Rss()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }
}
