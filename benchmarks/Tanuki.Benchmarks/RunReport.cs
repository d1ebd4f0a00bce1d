using System.Globalization;
using System.Text.Json;

namespace Tanuki.Benchmarks;

/// <summary>
/// The results of <c>run</c>: the table (one row per task, size and peer), the issue's goals checked against it,
/// warnings when other processes were busy, and the same as JSON for notes to cite.
/// </summary>
internal sealed class RunReport(int batch, int reps, int warmup, int cores)
{
    /// <summary>Other processes using more than this many cores on average during a measurement make it suspect.</summary>
    public const double BusyCores = 0.1;

    public List<Measurement> Measurements { get; } = new();
    public Dictionary<int, double> ForwardFlops { get; } = new();
    public List<string> Notes { get; } = new();
    public PeakFlops.Result? Peak { get; set; }
    public string LoadBefore { get; set; } = "";
    public string LoadAfter { get; set; } = "";
    public string? PythonInfo { get; set; }

    public static string Display(string peer) => peer switch
    {
        "tanuki" => "Tanuki",
        "tanuki-libtorch" => "Tanuki (libtorch)",
        "tanuki-nofusion" => "Tanuki (no BN fold)",
        "tanuki-bf16" => "Tanuki (mixed bf16)",
        "pytorch-bf16" => "PyTorch (bf16)",
        "torchsharp" => "TorchSharp",
        "pytorch" => "PyTorch",
        "ort" => "ONNX Runtime",
        "ort-nospin" => "ONNX Runtime, no spin",
        _ => peer,
    };

    /// <summary>FLOPs per image of a task: the forward pass, or about 3× it for a training step through the whole network
    /// (backward costs two forwards: gradients of inputs and of weights). The frozen-base step is one forward of the base.</summary>
    public double? TaskFlops(string task, int size) =>
        ForwardFlops.TryGetValue(size, out double f) ? task is "train_full" or "train_finetune" ? 3 * f : f : null;

    public Measurement? Tanuki(string task, int size) => Measurements.FirstOrDefault(m => m.Peer == "tanuki" && m.Task == task && m.Size == size);

    public double? Ratio(Measurement m) => Tanuki(m.Task, m.Size) is Measurement t ? m.MedianImagesPerSecond / t.MedianImagesPerSecond : null;

    public (double? Fma, double? Sgemm) PercentPeak(Measurement m) =>
        TaskFlops(m.Task, m.Size) is double f && Peak is not null
            ? (100 * m.MedianImagesPerSecond * f / Peak.FmaFlops, 100 * m.MedianImagesPerSecond * f / Peak.SgemmFlops)
            : (null, null);

    public void Print(TextWriter w)
    {
        w.WriteLine($"ResNet-18, batch {batch}, {cores} threads: images/s (median and best of {reps} steps after {warmup} warm-up(s)).");
        w.WriteLine("×Tanuki = the peer's median images/s ÷ Tanuki's (above 1: the peer is faster). %peak = median FLOP/s ÷ peak FLOP/s");
        if (Peak is not null)
            w.WriteLine($"  (peak: FMA loop {Peak.FmaFlops / 1e9:0.0} GFLOP/s, libtorch sgemm {Peak.SgemmFlops / 1e9:0.0} GFLOP/s; " +
                        "FLOPs: forward per image, ×3 for the full training step). other = cores other processes used meanwhile.");
        w.WriteLine();
        w.WriteLine($"{"task",-17} {"size",4}  {"peer",-19} {"median",8} {"best",8} {"×Tanuki",8} {"%peak FMA",10} {"%peak sgemm",12} {"other",6}");
        w.WriteLine(new string('-', 100));
        string? last = null;
        foreach (Measurement m in Measurements)
        {
            string key = $"{m.Task} {m.Size}";
            if (last is not null && key != last) w.WriteLine();
            last = key;
            var (fma, sgemm) = PercentPeak(m);
            w.WriteLine($"{m.Task,-17} {m.Size + "²",4}  {Display(m.Peer),-19} {m.MedianImagesPerSecond,8:0.0} {m.BestImagesPerSecond,8:0.0} " +
                        $"{Fmt(Ratio(m), "0.00"),8} {Fmt(fma, "0.0"),9}% {Fmt(sgemm, "0.0"),11}% {m.OtherCores,6:0.00}{(Busy(m) ? " !" : "")}");
        }
        w.WriteLine();
        PrintGoals(w);
        w.WriteLine($"load average before {LoadBefore}, after {LoadAfter}");
        foreach (string warning in Warnings()) w.WriteLine("WARNING: " + warning);
        foreach (string note in Notes) w.WriteLine("note: " + note);
    }

    private void PrintGoals(TextWriter w)
    {
        var lines = new List<string>();
        foreach (int size in Measurements.Select(m => m.Size).Distinct())
        {
            if (Tanuki("train_full", size) is Measurement t)
            {
                if (Find("pytorch", "train_full", size) is Measurement p)
                    lines.Add($"full training step {size}²: Tanuki {t.MedianImagesPerSecond / p.MedianImagesPerSecond:0.00}× PyTorch's throughput (goal ≥ 1.00)");
                if (Find("torchsharp", "train_full", size) is Measurement s)
                    lines.Add($"full training step {size}²: Tanuki {100 * (t.MedianImagesPerSecond / s.MedianImagesPerSecond - 1):+0.0;-0.0}% against plain TorchSharp (goal within 3%)");
            }
            if (Tanuki("train_finetune", size) is Measurement ft && Find("pytorch", "train_finetune", size) is Measurement pf)
                lines.Add($"fine-tuning step {size}²: Tanuki {ft.MedianImagesPerSecond / pf.MedianImagesPerSecond:0.00}× PyTorch's throughput (goal ≥ 1.30, issue 17)");
            // The opt-in mixed-precision rows: against PyTorch's usual float32 step, and against PyTorch under autocast.
            foreach (string task in new[] { "train_full", "train_finetune" })
                if (Find("tanuki-bf16", task, size) is Measurement b)
                {
                    string what = task == "train_full" ? "full training step" : "fine-tuning step";
                    foreach (string peer in new[] { "pytorch", "pytorch-bf16" })
                        if (Find(peer, task, size) is Measurement q)
                            lines.Add($"{what} {size}², mixed bf16: Tanuki {b.MedianImagesPerSecond / q.MedianImagesPerSecond:0.00}× {Display(peer)}'s throughput");
                }
            if (Tanuki("inference", size) is Measurement i)
            {
                if (Find("ort", "inference", size) is Measurement o)
                    lines.Add($"frozen-base forward {size}²: Tanuki {i.MedianImagesPerSecond / o.MedianImagesPerSecond:0.00}× ONNX Runtime's throughput (goal ≥ 1.00 at 224²)");
                var (fma, sgemm) = PercentPeak(i);
                if (fma is double f && sgemm is double g)
                    lines.Add($"frozen-base forward {size}²: Tanuki at {f:0.0}% of the FMA peak, {g:0.0}% of the sgemm peak (goal ≥ 75%)");
            }
        }
        if (lines.Count > 0)
        {
            w.WriteLine("Goals (issues 7 and 17), by medians:");
            foreach (string l in lines) w.WriteLine("  " + l);
        }
        var inference = new List<string>();
        foreach (int size in Measurements.Select(m => m.Size).Distinct())
            foreach (string task in new[] { "inference", "predict" })
            {
                if (Tanuki(task, size) is not Measurement t) continue;
                string what = task == "inference" ? "frozen-base forward" : "Predict, trained classifier";
                foreach (var (peer, goal) in new[] { ("ort", "≥ 1.00"), ("ort-nospin", "≥ 1.00"), ("pytorch", "≥ 1.50"), ("tanuki-libtorch", "-") })
                    if (Find(peer, task, size) is Measurement p)
                        inference.Add($"{what} {size}²: Tanuki {t.MedianImagesPerSecond / p.MedianImagesPerSecond:0.00}× {Display(peer)}'s throughput" +
                                      (goal == "-" ? "" : $" (goal {goal})"));
            }
        if (inference.Count == 0) return;
        w.WriteLine("Goals (issue 14), by medians:");
        foreach (string l in inference) w.WriteLine("  " + l);
    }

    private Measurement? Find(string peer, string task, int size) => Measurements.FirstOrDefault(m => m.Peer == peer && m.Task == task && m.Size == size);

    private static bool Busy(Measurement m) => m.OtherCores > BusyCores || m.StealCores > BusyCores;

    public IEnumerable<string> Warnings()
    {
        var busy = Measurements.Where(Busy).ToList();
        if (busy.Count > 0)
            yield return $"other processes were busy during {busy.Count} of {Measurements.Count} measurements (marked !, up to " +
                         $"{busy.Max(m => Math.Max(m.OtherCores, m.StealCores)):0.00} cores on average): those numbers are low and their ratios unreliable; rerun when the machine is quiet.";
        if (Peak is not null && Peak.OtherCores > BusyCores)
            yield return $"other processes used {Peak.OtherCores:0.00} cores or more during both peak measurements: the peak is understated and %peak overstated.";
    }

    public static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    private static string Fmt(double? v, string format) => v is double d ? d.ToString(format, CultureInfo.InvariantCulture) : "-";

    public string ToJson(IReadOnlyList<int> sizes, IReadOnlyList<string> tasks, IReadOnlyList<string> peers, bool quick)
    {
        var doc = new Dictionary<string, object?>
        {
            ["date"] = DateTime.Now.ToString("s", CultureInfo.InvariantCulture),
            ["machine"] = new Dictionary<string, object?>
            {
                ["cpu"] = CpuModel(), ["cores"] = cores, ["os"] = Environment.OSVersion.ToString(), ["dotnet"] = Environment.Version.ToString(),
            },
            ["options"] = new Dictionary<string, object?>
            {
                ["batch"] = batch, ["reps"] = reps, ["warmup"] = warmup, ["sizes"] = sizes, ["tasks"] = tasks, ["peers"] = peers, ["quick"] = quick,
            },
            ["load_average_before"] = LoadBefore,
            ["load_average_after"] = LoadAfter,
            ["peak"] = Peak is null ? null : new Dictionary<string, object?>
            {
                ["fma_gflops"] = Peak.FmaFlops / 1e9, ["fma_kind"] = Peak.FmaKind, ["sgemm_gflops"] = Peak.SgemmFlops / 1e9,
                ["sgemm_size"] = Peak.SgemmSize, ["threads"] = Peak.Threads, ["other_cores"] = Peak.OtherCores,
            },
            ["forward_gflops_per_image"] = ForwardFlops.ToDictionary(kv => kv.Key.ToString(CultureInfo.InvariantCulture), kv => kv.Value / 1e9),
            ["pytorch"] = PythonInfo,
            ["measurements"] = Measurements.Select(m =>
            {
                var (fma, sgemm) = PercentPeak(m);
                return new Dictionary<string, object?>
                {
                    ["peer"] = m.Peer, ["task"] = m.Task, ["size"] = m.Size, ["batch"] = m.Batch, ["times_s"] = m.Times,
                    ["median_s"] = m.Median, ["best_s"] = m.Best, ["median_images_per_s"] = m.MedianImagesPerSecond,
                    ["best_images_per_s"] = m.BestImagesPerSecond, ["ratio_to_tanuki"] = Ratio(m), ["percent_peak_fma"] = fma,
                    ["percent_peak_sgemm"] = sgemm, ["other_cores"] = m.OtherCores, ["steal_cores"] = m.StealCores, ["info"] = m.Info,
                };
            }).ToList(),
            ["warnings"] = Warnings().ToList(),
            ["notes"] = Notes,
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
    }
}
