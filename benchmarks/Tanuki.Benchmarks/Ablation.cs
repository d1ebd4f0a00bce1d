using System.Diagnostics;
using Tanuki.Applications;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// One optimisation on and off in the same process, step by step in alternation (on, off, on, off, ...), so
/// that the machine's drift and the other tenants' load fall on both alike: the fair way to tell a few percent apart
/// on a noisy machine, where separate runs of <c>run</c> differ by more than that.
/// </summary>
internal static class Ablation
{
    public static int Run(Args args)
    {
        long stemChunk = args.Int("chunk-kb", 8192) * 1024L;
        // Each switch is an option of the model the step runs (the pretrained base inside follows it).
        var switches = new Dictionary<string, Action<ExecutionOptions, bool>>
        {
            ["fusion"] = (o, on) => o.InferenceFusion = on,
            ["finetune-fold"] = (o, on) => o.FuseFineTuningStep = on,
            ["channels-last-training"] = (o, on) => { o.ChannelsLastTraining = on; o.ChannelsLastTrainingMinimumPixels = 0; },   // at every size
            ["add-relu"] = (o, on) => o.FuseAddRelu = on,
            ["channels-last"] = (o, on) => o.ChannelsLastInference = on,
            ["stem-chunks"] = (o, on) => o.StemChunkBytes = on ? stemChunk : 0,
            ["no-grad-frozen"] = (o, on) => o.NoGradForFrozenModels = on,
            ["mixed-bf16"] = (o, on) => o.TrainingPrecision = on ? TrainingPrecision.MixedBFloat16 : TrainingPrecision.Float32,
        };
        string name = args.String("switch", "add-relu");
        if (!switches.TryGetValue(name, out var set))
            throw new ArgumentException($"unknown --switch '{name}': {string.Join(", ", switches.Keys)}.");
        int size = args.Int("size", 224), batch = args.Int("batch", 32), reps = args.Int("reps", 20), warmup = args.Int("warmup", 2);
        var (x, y, baseModel) = TanukiPeer.Batch(size, batch);
        string task = args.String("task", "inference");
        // The same steps benchmarks/run times, on libtorch: these switches are libtorch's optimisations.
        var (run, model) = TanukiPeer.Step(task, baseModel, x, y, size, batch, InferenceEngine.LibTorch);
        // --precision bf16: both sides of a training switch run in mixed bfloat16 (a switch of its own: mixed-bf16).
        if (args.String("precision", "fp32") == "bf16") model.Execution.TrainingPrecision = TrainingPrecision.MixedBFloat16;
        var cpuOn = new List<double>();
        var cpuOff = new List<double>();
        var self = Process.GetCurrentProcess();
        double Step(bool on)
        {
            set(model.Execution, on);
            self.Refresh();
            TimeSpan cpu = self.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope()) run();
            double seconds = clock.Elapsed.TotalSeconds;
            self.Refresh();
            (on ? cpuOn : cpuOff).Add((self.TotalProcessorTime - cpu).TotalSeconds);
            return seconds;
        }
        for (int i = 0; i < warmup; i++) Console.WriteLine($"warm-up {i}: {Step(true):0.000} s, {Step(false):0.000} s");
        var on = new List<double>();
        var off = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            if (i % 2 == 0) { on.Add(Step(true)); off.Add(Step(false)); }
            else { off.Add(Step(false)); on.Add(Step(true)); }
        }
        set(model.Execution, true);
        cpuOn.RemoveRange(0, warmup);
        cpuOff.RemoveRange(0, warmup);
        double mOn = Stats.Median(on), mOff = Stats.Median(off);
        Console.WriteLine($"ResNet-18 {task}, batch {batch}, {size}², {reps} alternating steps each, threads {Backend.Threads}, " +
                          $"training precision {model.Execution.TrainingPrecision}");
        Console.WriteLine($"  {name} on : median {batch / mOn,7:0.0} images/s, best {batch / on.Min(),7:0.0}");
        Console.WriteLine($"  {name} off: median {batch / mOff,7:0.0} images/s, best {batch / off.Min(),7:0.0}");
        Console.WriteLine($"  on ÷ off: {mOff / mOn:0.000}× (medians), {off.Min() / on.Min():0.000}× (best steps)");
        // CPU seconds per step (all threads of this process): less sensitive than wall time to other processes taking
        // the cores, though spinning threads and shared caches still count; with one thread the fairest A/B on a loaded machine.
        Console.WriteLine($"  on ÷ off by CPU time per step: {Stats.Median(cpuOff) / Stats.Median(cpuOn):0.000}× (medians: on {Stats.Median(cpuOn):0.000} s, off {Stats.Median(cpuOff):0.000} s)");
        return 0;
    }
}
