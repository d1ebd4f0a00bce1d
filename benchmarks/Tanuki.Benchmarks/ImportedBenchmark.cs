using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tanuki.Inference;
using Tanuki.Interop;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Tanuki.Benchmarks;

/// <summary>
/// <c>imported</c>: bases imported from ONNX files (the torchvision corpus that <c>tools/make_onnx_corpus.py</c> writes)
/// and run by Tanuki's <c>Predict</c> — on its default engine, and forced to libtorch — against an ONNX Runtime session
/// on the original file with the same thread count, in alternating steps of one process, so the machine's drift falls on
/// every peer alike. Issue 14's goal: Tanuki ≥ 0.95× ONNX Runtime on every imported base.
/// </summary>
internal static class ImportedBenchmark
{
    private static readonly string[] DefaultCases = ["efficientnet_b0", "mobilenet_v2", "densenet121", "resnet50", "mobilenet_v3_large", "convnext_tiny"];

    public static int Run(Args args)
    {
        string folder = args.String("folder") ?? Path.Combine("artifacts", "bench-bases");
        var cases = args.List("cases", DefaultCases);
        int batch = args.Int("batch", 8), reps = args.Int("reps", 7), size = args.Int("size", 224);
        args.CheckAllRead();
        var missing = cases.Where(c => !File.Exists(Path.Combine(folder, $"{c}_{size}.onnx"))).ToArray();
        if (missing.Length > 0)
        {
            Console.WriteLine($"exporting {string.Join(", ", missing)} at {size}² into {folder} (benchmarks/peers/export_bases.py) ...");
            var start = new ProcessStartInfo("/usr/bin/python3") { ArgumentList = { Path.Combine("benchmarks", "peers", "export_bases.py"), "--out", folder, "--size", $"{size}", "--only", string.Join(",", missing) } };
            using var python = Process.Start(start) ?? throw new InvalidOperationException("/usr/bin/python3 did not start");
            python.WaitForExit();
            if (python.ExitCode != 0) throw new ArgumentException($"export_bases.py failed (exit {python.ExitCode}); it needs python3-torch and python3-torchvision");
        }
        Backend.EnsureInitialized();
        Console.WriteLine($"Imported bases at {size}², batch {batch}, {reps} alternating steps (each ≥ 0.3 s); threads {Backend.Threads}; load average {CpuSnapshot.LoadAverage()}");
        Console.WriteLine("Tanuki: Predict on its default engine (Auto; 'chosen' is its engine at the end); Tanuki-ORT: the same forced to ONNX Runtime, on the");
        Console.WriteLine("graph Tanuki exports; libtorch: forced to libtorch; ORT: a session on the original file. Ratios: ORT's time ÷ the peer's.");
        Console.WriteLine($"{"base",-20} {"chosen",12} {"Tanuki img/s",13} {"T-ORT img/s",11} {"libtorch img/s",15} {"ORT img/s",10} {"Tanuki÷ORT",11} {"Tanuki-ORT÷ORT",15} {"libtorch÷ORT",13} {"other",6}");
        var rows = new List<object>();
        foreach (string name in cases)
        {
            string file = Path.Combine(folder, $"{name}_{size}.onnx");
            using var scope = NewDisposeScope();
            TanukiInfo.SetRandomSeed(0);
            // Two imports: the default engine's choices depend on the model's own history, which forcing an engine on
            // the same model would disturb.
            Model model = Onnx.Import(file);
            model.Trainable = false;
            Model forced = Onnx.Import(file);
            forced.Trainable = false;
            Tensor x = torch.randn(batch, 3, size, size).DetachFromDisposeScope();
            using var options = OrtSession.Options(Backend.Threads);
            using var session = new InferenceSession(file, options);
            string input = session.InputMetadata.Keys.First();
            var feed = new[] { NamedOnnxValue.CreateFromTensor(input, new DenseTensor<float>(x.data<float>().ToArray(), [batch, 3, size, size])) };

            // Warm up every peer (the default engine measures both engines on its first calls and keeps the faster).
            for (int i = 0; i < 4; i++) Once(model, forced, x, batch, session, feed, "tanuki");
            int inner = Calibrate(() => Once(model, forced, x, batch, session, feed, "ort"));
            string[] peers = ["tanuki", "tanuki-ort", "libtorch", "ort"];
            var times = peers.ToDictionary(p => p, _ => new List<double>());
            CpuSnapshot start = CpuSnapshot.Take();
            for (int r = 0; r < reps; r++)
                foreach (string peer in r % 2 == 0 ? peers : peers.Reverse())
                {
                    Thread.Sleep(50);   // let libtorch's OpenMP threads stop spinning before the next peer runs
                    var clock = Stopwatch.StartNew();
                    for (int i = 0; i < inner; i++) Once(model, forced, x, batch, session, feed, peer);
                    times[peer].Add(clock.Elapsed.TotalSeconds / (inner * (double)batch));
                }
            var (other, _) = CpuSnapshot.Take().Since(start);
            string chosen = model.WholeInference.LastChoice?.Engine.ToString() ?? "LibTorch";
            double t = Stats.Median(times["tanuki"]), f = Stats.Median(times["tanuki-ort"]), l = Stats.Median(times["libtorch"]), o = Stats.Median(times["ort"]);
            Console.WriteLine($"{name,-20} {chosen,12} {1 / t,13:0.0} {1 / f,11:0.0} {1 / l,15:0.0} {1 / o,10:0.0} {o / t,10:0.00}× {o / f,14:0.00}× {o / l,12:0.00}× {other,6:0.00}");
            rows.Add(new { name, chosen, tanuki = 1 / t, tanukiOrt = 1 / f, libtorch = 1 / l, ort = 1 / o, tanukiOverOrt = o / t, tanukiOrtOverOrt = o / f, libtorchOverOrt = o / l, other });
            model.ReleaseInferenceSessions();
            forced.ReleaseInferenceSessions();
        }
        string results = Path.Combine("benchmarks", "results");
        Directory.CreateDirectory(results);
        string path = Path.Combine(results, $"{DateTime.Now:yyyy-MM-dd_HHmmss}_imported.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { size, batch, reps, threads = Backend.Threads, rows }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine($"wrote {path}");
        return 0;
    }

    private static void Once(Model model, Model forced, Tensor x, int batch, InferenceSession session, NamedOnnxValue[] feed, string peer)
    {
        switch (peer)
        {
            case "ort":
                session.Run(feed).Dispose();
                break;
            case "tanuki":
                using (NewDisposeScope()) model.Predict(x, batchSize: batch);
                break;
            default:
                forced.Execution.InferenceEngine = peer == "libtorch" ? InferenceEngine.LibTorch : InferenceEngine.OnnxRuntime;
                using (NewDisposeScope()) forced.Predict(x, batchSize: batch);
                break;
        }
    }

    private static int Calibrate(Action step)
    {
        var clock = Stopwatch.StartNew();
        int n = 0;
        while (clock.Elapsed.TotalSeconds < 0.3) { step(); n++; }
        return n;
    }
}
