using System.Diagnostics;
using System.Globalization;
using Tanuki.Applications;
using Tanuki.Inference;
using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// <c>engine</c>: the measurements behind <see cref="EngineRule"/>, the rule by which <see cref="InferenceEngine.Auto"/>
/// picks ONNX Runtime or libtorch. For graphs from a tiny MLP to ResNet-18 at 224²: <c>Predict</c> on libtorch and on
/// ONNX Runtime in alternating steps of one process (so the machine's drift falls on both alike), and the time to build
/// a session (export + creation). From these: the speed-up per sample, and how many samples repay a build.
/// </summary>
internal static class EngineBenchmark
{
    private static readonly string[] AllCases = ["mlp-tiny", "mlp", "cnn-small", "cnn", "resnet18-32", "resnet18-64", "resnet18-96", "resnet18-224"];

    public static int Run(Args args)
    {
        if (args.String("spin-child") is string spin) return SpinningBenchmark.Child(spin == "on", args);
        if (args.Flag("spinning")) return SpinningBenchmark.Run(args);
        if (args.Flag("export-vs-file")) return ExportVersusFile(args);
        var cases = args.List("cases", AllCases);
        int batch = args.Int("batch", 32), reps = args.Int("reps", 9), builds = args.Int("builds", 3);
        args.CheckAllRead();
        Backend.EnsureInitialized();
        Console.WriteLine($"Predict on libtorch vs ONNX Runtime, batch {batch}, {reps} alternating steps each (a step runs Predict " +
                          $"enough times to last ≥ 0.2 s), builds: median of {builds}; threads {Backend.Threads}; load average {CpuSnapshot.LoadAverage()}");
        Console.WriteLine($"{"case",-14} {"params",11} {"MFLOP/sample",13} {"libtorch ms/sample",19} {"ORT ms/sample",14} {"speed-up",9} " +
                          $"{"build s",8} {"break-even samples",19} {"other",6}");
        Console.WriteLine("(break-even: samples whose saving pays for one build; speed-up: libtorch's time ÷ ONNX Runtime's)");
        foreach (string name in cases)
        {
            using var scope = NewDisposeScope();
            TanukiInfo.SetRandomSeed(0);
            var (model, shape) = Build(name);
            Tensor x = (torch.rand([batch, .. shape]) * 255).DetachFromDisposeScope();
            double flops = FlopCount.Forward(model);

            var buildTimes = new List<double>();
            model.Execution.InferenceEngine = InferenceEngine.OnnxRuntime;
            for (int i = 0; i < builds; i++)
            {
                model.ReleaseInferenceSessions();
                model.Predict(x, batchSize: batch).Dispose();
                buildTimes.Add(model.WholeInference.LastBuildSeconds);
            }
            int inner = Calibrate(model, x, batch);
            double Step(InferenceEngine engine)
            {
                model.Execution.InferenceEngine = engine;
                Thread.Sleep(50);   // let libtorch's OpenMP threads stop spinning before the other engine runs
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < inner; i++)
                    using (NewDisposeScope()) model.Predict(x, batchSize: batch);
                return clock.Elapsed.TotalSeconds / (inner * (double)batch);
            }
            Step(InferenceEngine.LibTorch);
            Step(InferenceEngine.OnnxRuntime);
            var torchTimes = new List<double>();
            var ortTimes = new List<double>();
            CpuSnapshot start = CpuSnapshot.Take();
            for (int i = 0; i < reps; i++)
            {
                if (i % 2 == 0) { torchTimes.Add(Step(InferenceEngine.LibTorch)); ortTimes.Add(Step(InferenceEngine.OnnxRuntime)); }
                else { ortTimes.Add(Step(InferenceEngine.OnnxRuntime)); torchTimes.Add(Step(InferenceEngine.LibTorch)); }
            }
            var (other, _) = CpuSnapshot.Take().Since(start);
            double t = Stats.Median(torchTimes), o = Stats.Median(ortTimes), b = Stats.Median(buildTimes);
            string breakEven = t > o ? (b / (t - o)).ToString("N0", CultureInfo.InvariantCulture) : "never";
            Console.WriteLine($"{name,-14} {model.CountParams(),11:N0} {flops / 1e6,13:0.000} {t * 1e3,19:0.0000} {o * 1e3,14:0.0000} {t / o,8:0.00}× " +
                              $"{b,8:0.000} {breakEven,19} {other,6:0.00}");
            Console.WriteLine($"{"",-14} saved per FLOP {(t - o) / flops * 1e12:0.000} ps; build per parameter {b / model.CountParams() * 1e6:0.000} µs");
            model.ReleaseInferenceSessions();
        }
        return 0;
    }

    /// <summary>
    /// ONNX Runtime on Tanuki's export of the pretrained base against ONNX Runtime on the file it was imported from (cut
    /// the same way), with the same session options, in alternating steps: does the export cost ONNX Runtime speed?
    /// </summary>
    private static int ExportVersusFile(Args args)
    {
        int size = args.Int("size", 96), batch = args.Int("batch", 32), reps = args.Int("reps", 10);
        args.CheckAllRead();
        Backend.EnsureInitialized();
        TanukiInfo.SetRandomSeed(0);
        Tensor x = (torch.rand(batch, 3, size, size) * 255).DetachFromDisposeScope();
        Model baseModel = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, size, size]);
        baseModel.Execution.InferenceEngine = InferenceEngine.OnnxRuntime;
        string dir = Directory.CreateTempSubdirectory("tanuki-bench-export-vs-file-").FullName;
        try
        {
            string file = OrtPeer.FreeCopy(Applications.ResNet18Files.FindModel(null), dir);
            using var options = OrtSession.Options(Backend.Threads);
            using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(file, options);
            Tensor pre = ResNet18.Preprocess(x).DetachFromDisposeScope();     // the file takes preprocessed images, as the base does
            var feed = new[] { Microsoft.ML.OnnxRuntime.NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.First(),
                new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>(pre.data<float>().ToArray(), [batch, 3, size, size])) };
            double Step(bool export)
            {
                var clock = Stopwatch.StartNew();
                using (NewDisposeScope())
                {
                    if (export) baseModel.Predict(pre, batchSize: batch);
                    else session.Run(feed).Dispose();
                }
                return clock.Elapsed.TotalSeconds;
            }
            Step(true); Step(false); Step(true); Step(false);
            var ours = new List<double>();
            var theirs = new List<double>();
            for (int i = 0; i < reps; i++)
            {
                if (i % 2 == 0) { ours.Add(Step(true)); theirs.Add(Step(false)); }
                else { theirs.Add(Step(false)); ours.Add(Step(true)); }
            }
            Console.WriteLine($"ResNet-18 base at {size}², batch {batch}, ONNX Runtime, {reps} alternating steps; load average {CpuSnapshot.LoadAverage()}");
            Console.WriteLine($"  Tanuki's export (Predict): {batch / Stats.Median(ours),7:0.0} images/s; the original file: {batch / Stats.Median(theirs),7:0.0} images/s; " +
                              $"ratio {Stats.Median(theirs) / Stats.Median(ours):0.000}×");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        return 0;
    }

    /// <summary>Predict calls per step, so that a step lasts at least 0.2 s on libtorch.</summary>
    private static int Calibrate(Model model, Tensor x, int batch)
    {
        model.Execution.InferenceEngine = InferenceEngine.LibTorch;
        model.Predict(x, batchSize: batch).Dispose();
        var clock = Stopwatch.StartNew();
        int n = 0;
        while (clock.Elapsed.TotalSeconds < 0.2)
        {
            using (NewDisposeScope()) model.Predict(x, batchSize: batch);
            n++;
        }
        return n;
    }

    private static (Model Model, long[] Shape) Build(string name)
    {
        switch (name)
        {
            case "mlp-tiny":
            {
                var input = new Input(16);
                return (new Model(input, new Dense(4).Call(new Dense(32, activation: "relu").Call(input))), [16]);
            }
            case "mlp":
            {
                var input = new Input(784);
                SymbolicTensor h = new Dense(512, activation: "relu").Call(new Dense(512, activation: "relu").Call(input));
                return (new Model(input, new Dense(10).Call(h)), [784]);
            }
            case "cnn-small":
            {
                var input = new Input(1, 28, 28);
                SymbolicTensor h = new Conv2D(8, 3, padding: "same", activation: "relu").Call(input);
                h = new MaxPooling2D(2).Call(new Conv2D(16, 3, padding: "same", activation: "relu").Call(new MaxPooling2D(2).Call(h)));
                return (new Model(input, new Dense(10).Call(new Flatten().Call(h))), [1, 28, 28]);
            }
            case "cnn":
            {
                var input = new Input(3, 64, 64);
                SymbolicTensor h = input;
                foreach (int filters in new[] { 32, 64, 128 })
                {
                    h = new Conv2D(filters, 3, padding: "same", useBias: false).Call(h);
                    h = new ReLU().Call(new BatchNormalization().Call(h));
                    h = new MaxPooling2D(2).Call(h);
                }
                return (new Model(input, new Dense(10).Call(new GlobalAveragePooling2D().Call(h))), [3, 64, 64]);
            }
            default:
                if (name.StartsWith("resnet18-", StringComparison.Ordinal) && int.TryParse(name["resnet18-".Length..], out int size))
                {
                    Model b = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, size, size]);
                    b.Trainable = false;
                    return (b, [3, size, size]);
                }
                throw new ArgumentException($"unknown case '{name}': {string.Join(", ", AllCases)}.");
        }
    }
}
