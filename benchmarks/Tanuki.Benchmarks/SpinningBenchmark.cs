using Tanuki.Applications;
using Tanuki.Inference;
using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// <c>engine --spinning</c>: ONNX Runtime's idle worker threads spinning (its default) against sleeping, the choice
/// behind <see cref="OrtSession.AllowSpinning"/>.
/// </summary>
internal static class SpinningBenchmark
{
    /// <summary>
    /// ONNX Runtime's worker threads spinning while idle (its default) against sleeping, each in fresh child processes
    /// taken in turns (on, off, off, on, ...) so that the machine's load falls on both alike. Each child times ResNet-18's
    /// Predict on ONNX Runtime alone, and the same interleaved with a libtorch training step of a small head (what the
    /// frozen stage does: the base on ONNX Runtime, the head on libtorch).
    /// </summary>
    public static int Run(Args args)
    {
        int size = args.Int("size", 96), rounds = args.Int("rounds", 4), reps = args.Int("reps", 8);
        args.CheckAllRead();
        Console.WriteLine($"ONNX Runtime intra-op spinning on vs off: ResNet-18 Predict at {size}², batch 32, {rounds} rounds of one child per setting " +
                          $"({reps} timed steps each); load average {CpuSnapshot.LoadAverage()}");
        var self = ChildProcess.Self();
        var results = new Dictionary<(bool Spin, string Task), List<double>>();
        double other = 0;
        int children = 0;
        for (int r = 0; r < rounds; r++)
            foreach (bool spin in r % 2 == 0 ? new[] { true, false } : new[] { false, true })
            {
                var (found, _, error) = ChildProcess.Run(self.File, [.. self.Args, "engine", "--spin-child", spin ? "on" : "off", "--size", $"{size}", "--reps", $"{reps}"]);
                if (error is not null) throw new InvalidOperationException(error);
                foreach (Measurement m in found)
                {
                    if (!results.TryGetValue((spin, m.Task), out var list)) results[(spin, m.Task)] = list = new List<double>();
                    list.AddRange(m.Times);
                    other += m.OtherCores;
                    children++;
                }
            }
        foreach (string task in results.Keys.Select(k => k.Task).Distinct())
        {
            double on = Stats.Median(results[(true, task)]), off = Stats.Median(results[(false, task)]);
            Console.WriteLine(task.StartsWith("CPU", StringComparison.Ordinal)
                ? $"  {task,-28} spinning on: median {on * 1e3,8:0.0} ms          off: {off * 1e3,8:0.0} ms"
                : $"  {task,-28} spinning on: median {on * 1e3,8:0.0} ms/step   off: {off * 1e3,8:0.0} ms/step   on ÷ off speed: {off / on:0.000}×");
        }
        Console.WriteLine($"  other processes used {other / Math.Max(1, children):0.00} cores on average; load average now {CpuSnapshot.LoadAverage()}");
        return 0;
    }

    public static int Child(bool spin, Args args)
    {
        int size = args.Int("size", 96), reps = args.Int("reps", 8), batch = 32;
        args.CheckAllRead();
        OrtSession.AllowSpinning = spin;
        Backend.EnsureInitialized();
        TanukiInfo.SetRandomSeed(0);
        Tensor x = (torch.rand(batch, 3, size, size) * 255).DetachFromDisposeScope();
        Model baseModel = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, size, size]);
        baseModel.Trainable = false;
        baseModel.Execution.InferenceEngine = InferenceEngine.OnnxRuntime;
        void Infer() { using (NewDisposeScope()) baseModel.Predict(x, batchSize: batch); }
        // The head's step of the frozen stage: Dense(10) on 512 pooled features, Adam, on libtorch.
        var features = new Input(512);
        var head = new Model(features, new Dense(10).Call(features));
        head.Compile(new Optimizers.Adam(1e-3), new Losses.SparseCategoricalCrossentropy(fromLogits: true));
        Tensor f = torch.randn(batch, 512).DetachFromDisposeScope(), y = torch.randint(0, 10, [batch], dtype: ScalarType.Int64).DetachFromDisposeScope();
        void Train() { for (int i = 0; i < 10; i++) head.Fit(f, y, batchSize: batch, epochs: 1, verbose: 0, shuffle: false); }
        string info = $"allow_spinning {(spin ? 1 : 0)}";
        Console.WriteLine(Measurement.Time("tanuki", "10 head steps, no session", size, batch, Train, 2, reps, info).ToJson());
        Console.WriteLine(Measurement.Time("tanuki", "ORT Predict", size, batch, Infer, 2, reps, info).ToJson());
        Console.WriteLine(Measurement.Time("tanuki", "10 head steps, session idle", size, batch, Train, 2, reps, info).ToJson());
        Console.WriteLine(Measurement.Time("tanuki", "ORT Predict + 10 head steps", size, batch, () => { Infer(); Train(); }, 2, reps, info).ToJson());
        // CPU the process burns in the 0.5 s after a Predict on ONNX Runtime, doing nothing: the spinning threads' cost to others.
        var idle = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            Infer();
            using var self = System.Diagnostics.Process.GetCurrentProcess();
            double before = self.TotalProcessorTime.TotalSeconds;
            Thread.Sleep(500);
            self.Refresh();
            idle.Add(self.TotalProcessorTime.TotalSeconds - before);
        }
        Console.WriteLine(new Measurement { Peer = "tanuki", Task = "CPU s burnt in 0.5 s idle", Size = size, Batch = batch, Times = idle.ToArray(), Info = info }.ToJson());
        return 0;
    }
}
