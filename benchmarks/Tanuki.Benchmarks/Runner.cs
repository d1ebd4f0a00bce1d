using System.Globalization;
using Tanuki.Applications;

namespace Tanuki.Benchmarks;

/// <summary>
/// <c>run</c>: ResNet-18 at batch 32 — inference (frozen base forward), full training step, frozen-base + head
/// training step — for every peer, one fresh child process per (size, task, peer), peers interleaved so that a
/// change of load on the machine hits them alike. Then the table (<see cref="RunReport"/>) and a JSON file.
/// </summary>
internal static class Runner
{
    public static readonly string[] AllPeers = ["tanuki", "tanuki-libtorch", "torchsharp", "pytorch", "ort", "ort-nospin", "tanuki-nofusion", "tanuki-bf16", "pytorch-bf16"];
    private static readonly string[] DefaultPeers = ["tanuki", "tanuki-libtorch", "torchsharp", "pytorch", "ort"];

    public static int Run(Args args)
    {
        bool quick = args.Flag("quick");
        var sizes = args.Ints("sizes", quick ? [96] : [96, 224]);
        var tasks = args.List("tasks", PeerProcess.Tasks);
        var peers = args.List("peers", DefaultPeers);
        int reps = args.Int("reps", quick ? 3 : 10), warmup = args.Int("warmup", quick ? 1 : 2), batch = args.Int("batch", 32);
        int threads = args.Int("threads", Environment.ProcessorCount);
        string repo = args.String("repo") ?? FindRepo();
        string? resultsDir = args.Flag("no-json") ? null : args.String("results", Path.Combine(repo, "benchmarks", "results"));
        args.CheckAllRead();
        foreach (string t in tasks.Where(t => !PeerProcess.Tasks.Contains(t)))
            throw new ArgumentException($"unknown task '{t}'; the tasks are {string.Join(", ", PeerProcess.Tasks)}.");
        foreach (string p in peers.Where(p => !AllPeers.Contains(p)))
            throw new ArgumentException($"unknown peer '{p}'; the peers are {string.Join(", ", AllPeers)}.");
        if (threads < 1) throw new ArgumentException($"--threads takes a positive count. Received: {threads}");
        foreach (int s in sizes.Where(s => s < 32 || s % 32 != 0))
            throw new ArgumentException($"--sizes takes multiples of 32 (Tanuki's ResNet-18 needs them). Received: {s}");

        var report = new RunReport(batch, reps, warmup, Environment.ProcessorCount) { LoadBefore = CpuSnapshot.LoadAverage() };
        Console.WriteLine($"ResNet-18, batch {batch}; sizes {string.Join(", ", sizes.Select(s => $"{s}²"))}; tasks {string.Join(", ", tasks)}; " +
                          $"peers {string.Join(", ", peers)}; {reps} timed steps after {warmup} warm-up(s), each measurement in a fresh process; " +
                          $"{threads} threads per peer; OMP_WAIT_POLICY {Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "unset"}");
        Console.WriteLine($"machine: {RunReport.CpuModel()}, {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; load average {report.LoadBefore}");

        Backend.EnsureInitialized();
        Console.Write("peak fp32 FLOP/s ... ");
        report.Peak = PeakFlops.Measure(quick, Environment.ProcessorCount);
        Console.WriteLine($"FMA loop {report.Peak.FmaFlops / 1e9:0.0} GFLOP/s ({report.Peak.FmaKind}), libtorch sgemm {report.Peak.SgemmSize}² " +
                          $"{report.Peak.SgemmFlops / 1e9:0.0} GFLOP/s (other processes: {report.Peak.OtherCores:0.00} cores)");
        foreach (int s in sizes)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            report.ForwardFlops[s] = FlopCount.Forward(ResNet18.Create("imagenet", includeTop: false, inputShape: [3, s, s]));
            Console.WriteLine($"ResNet-18 base forward at {s}²: {report.ForwardFlops[s] / 1e9:0.000} GFLOP per image (2 × multiply-adds of its Conv2D layers)");
        }

        string script = Path.Combine(repo, "benchmarks", "peers", "pytorch_resnet18.py");
        if (peers.Any(IsPyTorch) && !PythonHasTorch())
        {
            Console.WriteLine("PyTorch peer skipped: apt-get install python3-torch python3-torchvision");
            report.Notes.Add("PyTorch peer skipped: /usr/bin/python3 lacks torch or torchvision.");
            peers = peers.Where(p => !IsPyTorch(p)).ToList();
        }

        var self = ChildProcess.Self();
        foreach (int size in sizes)
            foreach (string task in tasks)
                foreach (string peer in peers)
                {
                    // ONNX Runtime only infers; Tanuki on forced libtorch differs from Tanuki only where it infers.
                    if (peer is "ort" or "ort-nospin" or "tanuki-libtorch" && !PeerProcess.IsInference(task)) continue;
                    var common = new[] { "--task", task, "--size", Str(size), "--batch", Str(batch), "--reps", Str(reps), "--warmup", Str(warmup) };
                    string file = IsPyTorch(peer) ? ChildProcess.Python : self.File;
                    List<string> childArgs = IsPyTorch(peer)
                        ? [script, "--sizes", Str(size), "--tasks", task, "--batch", Str(batch), "--reps", Str(reps),
                           "--warmup", Str(warmup), "--threads", Str(threads), .. (peer == "pytorch-bf16" ? new[] { "--autocast-bf16" } : [])]
                        : [.. self.Args, "peer", "--peer", peer, .. common];
                    Console.Write($"  {task,-17} {size,3}²  {RunReport.Display(peer),-19} ");
                    var (found, json, error) = ChildProcess.Run(file, childArgs, new Dictionary<string, string> { ["TANUKI_THREADS"] = Str(threads) });
                    if (IsPyTorch(peer)) report.PythonInfo ??= json.Select(InfoOf).FirstOrDefault(i => i is not null);
                    Measurement? m = found.FirstOrDefault(x => x.Task == task && x.Size == size);
                    if (m is null || error is not null)
                    {
                        Console.WriteLine("FAILED");
                        report.Notes.Add($"{peer} {task} {size}²: {error}");
                        Console.WriteLine("    " + error?.Replace("\n", "\n    "));
                        continue;
                    }
                    m = m with { Peer = peer };
                    report.Measurements.Add(m);
                    Console.WriteLine($"median {m.Median:0.000} s/step = {m.MedianImagesPerSecond,6:0.0} images/s, best {m.BestImagesPerSecond,6:0.0}; " +
                                      $"other processes {m.OtherCores:0.00} cores");
                }

        // The peak again: on a shared machine one of the two measurements may have found the cores busy; keep the best.
        PeakFlops.Result again = PeakFlops.Measure(quick, Environment.ProcessorCount);
        report.Peak = PeakFlops.Best(report.Peak!, again);
        Console.WriteLine($"peak fp32 FLOP/s again: FMA loop {again.FmaFlops / 1e9:0.0} GFLOP/s, sgemm {again.SgemmFlops / 1e9:0.0} GFLOP/s " +
                          $"(other processes: {again.OtherCores:0.00} cores); the table uses the best of both");
        report.LoadAfter = CpuSnapshot.LoadAverage();
        Console.WriteLine();
        report.Print(Console.Out);
        if (resultsDir is not null)
        {
            Directory.CreateDirectory(resultsDir);
            string path = Path.Combine(resultsDir, DateTime.Now.ToString("yyyy-MM-dd_HHmmss", CultureInfo.InvariantCulture) + (quick ? "_quick" : "") + ".json");
            File.WriteAllText(path, report.ToJson(sizes, tasks, peers, quick));
            Console.WriteLine($"results written to {Path.GetRelativePath(Directory.GetCurrentDirectory(), path)}");
        }
        return 0;
    }

    /// <summary>The peers that run benchmarks/peers/pytorch_resnet18.py: float32, or under CPU autocast to bfloat16.</summary>
    private static bool IsPyTorch(string peer) => peer is "pytorch" or "pytorch-bf16";

    private static string? InfoOf(string jsonLine)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(jsonLine);
            return doc.RootElement.TryGetProperty("info", out var info) ? info.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Str(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static bool PythonHasTorch()
    {
        if (!File.Exists(ChildProcess.Python)) return false;
        var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(ChildProcess.Python, ["-c", "import torch, torchvision"])
        { RedirectStandardError = true, RedirectStandardOutput = true });
        if (p is null) return false;
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode == 0;
    }

    /// <summary>The repository root: the first folder above this program or the current folder holding Tanuki.slnx.</summary>
    internal static string FindRepo()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "Tanuki.slnx"))) return d.FullName;
        throw new ArgumentException("cannot find the repository (a folder with Tanuki.slnx) above the current folder; pass --repo.");
    }
}
