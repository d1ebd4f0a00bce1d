using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Tanuki.Applications;
using Tanuki.Callbacks;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// <c>frozen-stage</c>: the first stage of the transfer-learning workflow — 10 epochs of the head over 1,000
/// Fashion-MNIST images at 96², the pretrained ResNet-18 base frozen and called with training: false — as Tanuki's
/// Fit runs it (the frozen-feature cache applies by itself) against PyTorch doing the same loop naively (the base
/// recomputed every epoch) and with a hand-written cache. The PyTorch script runs the same network with the same
/// weights (read from the same ONNX file), the same head initialisation, data and batch order, and Adam with the
/// same ε, so the trained heads can be compared.
/// </summary>
internal static class FrozenStage
{
    public static int Run(Args args)
    {
        int epochs = args.Int("epochs", 10), perClass = args.Int("per-class", 100), size = args.Int("size", 96), batch = args.Int("batch", 32);
        bool tanukiNaive = args.Flag("tanuki-naive"), noPython = args.Flag("no-python"), noLibTorch = args.Flag("no-tanuki-libtorch");
        string spinning = args.String("ort-spinning", "off");
        if (spinning is not ("on" or "off")) throw new ArgumentException($"--ort-spinning takes on or off. Received: {spinning}");
        Tanuki.Inference.OrtSession.AllowSpinning = spinning == "on";
        string repo = args.String("repo") ?? Runner.FindRepo();
        string? resultsDir = args.Flag("no-json") ? null : args.String("results", Path.Combine(repo, "benchmarks", "results"));
        args.CheckAllRead();
        const double LearningRate = 1e-3, Epsilon = 1e-7;

        Backend.EnsureInitialized();
        var rows = new List<FrozenStageRow>();
        var notes = new List<string>();
        string loadBefore = CpuSnapshot.LoadAverage();
        Console.WriteLine($"Frozen stage: {epochs} head epochs over {perClass * 10:N0} Fashion-MNIST images at {size}², batch {batch}, Adam(lr {LearningRate}, ε {Epsilon})");
        Console.WriteLine($"machine: {RunReport.CpuModel()}, {Environment.ProcessorCount} cores, {Backend.Threads} threads; load average {loadBefore}");

        var data = FrozenStageData.Load(perClass, size);
        Console.WriteLine($"data: {data.Count} images ({perClass} per class) of {data.Source}, resized to {size}² RGB, one fixed shuffled order");
        if (data.Source.Contains("sample", StringComparison.Ordinal)) notes.Add(data.Source);
        string dir = Directory.CreateTempSubdirectory("tanuki-frozen-stage-").FullName;
        try
        {
            data.Write(dir);
            WarmUp(data, size, batch, LearningRate, Epsilon);
            TanukiInfo.SetRandomSeed(0);
            var (model, head) = Build(size);
            Tensor[] initial = head.GetWeights();                        // kernel (512, 10), bias (10)
            FrozenStageData.WriteRaw(Path.Combine(dir, "head_init.f32"), initial.SelectMany(t => t.data<float>().ToArray()).ToArray());

            rows.Add(FitTanuki("Tanuki Fit (feature cache, automatic)", model, data, epochs, batch, LearningRate, Epsilon, cache: true, InferenceEngine.Auto));
            Console.WriteLine($"  the feature pass ran on {model.PrefixInferencePart?.LastChoice?.ToString() ?? "libtorch"}; ONNX Runtime threads spin: {spinning}");
            model.ReleaseInferenceSessions();
            float[] tanukiHead = head.GetWeights().SelectMany(t => t.data<float>().ToArray()).ToArray();
            if (!noLibTorch)
            {
                var (model3, head3) = Build(size);
                head3.SetWeights(initial);
                rows.Add(FitTanuki("Tanuki Fit (feature cache, libtorch)", model3, data, epochs, batch, LearningRate, Epsilon, cache: true, InferenceEngine.LibTorch) with
                {
                    HeadDifference = MaxAbsDifference(tanukiHead, head3.GetWeights().SelectMany(t => t.data<float>().ToArray()).ToArray()),
                });
            }
            if (tanukiNaive)
            {
                var (model2, head2) = Build(size);
                head2.SetWeights(initial);
                rows.Add(FitTanuki("Tanuki Fit (cache off)", model2, data, epochs, batch, LearningRate, Epsilon, cache: false, InferenceEngine.Auto) with
                {
                    HeadDifference = MaxAbsDifference(tanukiHead, head2.GetWeights().SelectMany(t => t.data<float>().ToArray()).ToArray()),
                });
            }

            if (noPython) notes.Add("PyTorch skipped (--no-python).");
            else if (!File.Exists(ChildProcess.Python)) notes.Add($"PyTorch skipped: {ChildProcess.Python} not found; apt-get install python3-torch");
            else rows.AddRange(RunPython(repo, dir, epochs, batch, size, LearningRate, Epsilon, tanukiHead, notes));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        string loadAfter = CpuSnapshot.LoadAverage();
        var report = new FrozenStageReport(rows, notes, epochs, data.Count, size, loadBefore, loadAfter);
        Console.WriteLine();
        report.Print(Console.Out);
        if (resultsDir is not null)
        {
            Directory.CreateDirectory(resultsDir);
            string path = Path.Combine(resultsDir, DateTime.Now.ToString("yyyy-MM-dd_HHmmss", CultureInfo.InvariantCulture) + "_frozen_stage.json");
            File.WriteAllText(path, report.ToJson());
            Console.WriteLine($"results written to {Path.GetRelativePath(Directory.GetCurrentDirectory(), path)}");
        }
        return 0;
    }

    /// <summary>image (RGB 0–255) → ResNet18Preprocessing → frozen ResNet-18 (training: false) → GAP → Dense(10) logits.</summary>
    private static (Model Model, Dense Head) Build(int size)
    {
        Model baseModel = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, size, size]);
        baseModel.Trainable = false;
        var head = new Dense(10, name: "predictions");
        var input = new Input([3, size, size], "image");
        SymbolicTensor x = baseModel.Call(new ResNet18Preprocessing(name: "preprocess").Call(input), training: false);
        var model = new Model(input, head.Call(new GlobalAveragePooling2D(name: "avg_pool").Call(x)), name: "classifier");
        return (model, head);
    }

    /// <summary>
    /// One short untimed frozen stage on each engine before the timed rows, so that the first timed row does not pay alone
    /// for the process's first use of the Fit path (JIT), of libtorch's kernels and of ONNX Runtime (its library and
    /// environment): without it the automatic row, which runs first, measured ~0.4 s slower than the libtorch row.
    /// </summary>
    private static void WarmUp(FrozenStageData data, int size, int batch, double lr, double epsilon)
    {
        using var scope = NewDisposeScope();
        Tensor x = data.X[..(2 * batch)], y = data.Y[..(2 * batch)];
        foreach (InferenceEngine engine in new[] { InferenceEngine.Auto, InferenceEngine.LibTorch })
        {
            var (model, _) = Build(size);
            Prepare(model, lr, epsilon, cache: true, engine);
            model.Fit(x, y, batchSize: batch, epochs: 2, verbose: 0, shuffle: false);
            model.ReleaseInferenceSessions();
            model.Dispose();
        }
    }

    /// <summary>The cache, the engine and the compile step every Tanuki row (and the warm-up) trains with.</summary>
    private static void Prepare(Model model, double lr, double epsilon, bool cache, InferenceEngine engine)
    {
        model.UseFeatureCache = cache;
        model.Execution.InferenceEngine = engine;
        model.Compile(new Adam(lr, epsilon: epsilon), new SparseCategoricalCrossentropy(fromLogits: true));
    }

    private static FrozenStageRow FitTanuki(string name, Model model, FrozenStageData data, int epochs, int batch, double lr, double epsilon, bool cache,
                                            InferenceEngine engine)
    {
        Prepare(model, lr, epsilon, cache, engine);
        var clock = new EpochClock();
        Console.WriteLine($"{name}:");
        CpuSnapshot start = CpuSnapshot.Take();
        var wall = Stopwatch.StartNew();
        model.Fit(data.X, data.Y, batchSize: batch, epochs: epochs, verbose: 2, callbacks: [clock], shuffle: false);
        double seconds = wall.Elapsed.TotalSeconds;
        var (other, _) = CpuSnapshot.Take().Since(start);
        return new FrozenStageRow(name, seconds, clock.Epochs[0], clock.Epochs.Skip(1).DefaultIfEmpty(double.NaN).Average(), null, other);
    }

    private static IEnumerable<FrozenStageRow> RunPython(string repo, string dir, int epochs, int batch, int size, double lr, double epsilon, float[] tanukiHead, List<string> notes)
    {
        string script = Path.Combine(repo, "benchmarks", "peers", "pytorch_frozen_stage.py");
        string means = string.Join(",", ResNet18.ChannelMeansBgr.Select(m => m.ToString("R", CultureInfo.InvariantCulture)));
        List<string> pyArgs = [script, "--data", dir, "--onnx", ResNet18Files.FindModel(null), "--size", size.ToString(CultureInfo.InvariantCulture),
            "--epochs", epochs.ToString(CultureInfo.InvariantCulture), "--batch", batch.ToString(CultureInfo.InvariantCulture),
            "--lr", lr.ToString("R", CultureInfo.InvariantCulture), "--eps", epsilon.ToString("R", CultureInfo.InvariantCulture),
            "--means", means, "--threads", Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)];
        Console.WriteLine("PyTorch (naive, then hand-written cache):");
        var (_, lines, error) = ChildProcess.Run(ChildProcess.Python, pyArgs);
        var rows = new List<FrozenStageRow>();
        foreach (string line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            JsonElement r = doc.RootElement;
            if (r.TryGetProperty("info", out var info)) Console.WriteLine("  " + info.GetString());
            if (!r.TryGetProperty("mode", out var mode)) continue;
            double[] epochTimes = r.GetProperty("epoch_seconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            double features = r.GetProperty("feature_seconds").GetDouble();
            string file = Path.Combine(dir, $"head_{mode.GetString()}.f32");
            double? diff = File.Exists(file) ? MaxAbsDifference(tanukiHead, FrozenStageData.ReadFloats(file)) : null;
            string name = mode.GetString() == "naive" ? "PyTorch naive (base every epoch)" : "PyTorch, hand-written cache";
            var row = new FrozenStageRow(name, r.GetProperty("seconds").GetDouble(), features + epochTimes[0], epochTimes.Skip(1).DefaultIfEmpty(double.NaN).Average(),
                                         diff, r.GetProperty("other_cores").GetDouble());
            Console.WriteLine($"  {name}: {row.Seconds:0.00} s");
            rows.Add(row);
        }
        if (error is not null) notes.Add("PyTorch script failed: " + error);
        return rows;
    }

    private static double MaxAbsDifference(float[] a, float[] b) =>
        a.Length != b.Length ? double.NaN : a.Zip(b, (x, y) => Math.Abs((double)x - y)).Max();

    /// <summary>Wall time of each epoch (the first includes filling the feature cache).</summary>
    private sealed class EpochClock : Callback
    {
        private readonly Stopwatch _clock = new();
        public List<double> Epochs { get; } = new();
        public override void OnEpochBegin(int epoch) => _clock.Restart();
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => Epochs.Add(_clock.Elapsed.TotalSeconds);
    }
}
