using System.Globalization;
using System.Text.Json;

namespace Tanuki.Benchmarks;

/// <summary>One way of running the frozen stage: wall time, first epoch (with the feature pass when there is one),
/// mean of the later epochs, the trained head's largest difference from Tanuki's, and the cores other processes used.</summary>
internal sealed record FrozenStageRow(string Name, double Seconds, double FirstEpoch, double LaterEpochs, double? HeadDifference, double OtherCores);

/// <summary>The frozen stage's table, the goal checked against it (≥ 15× PyTorch's naive loop), and JSON.</summary>
internal sealed class FrozenStageReport(IReadOnlyList<FrozenStageRow> rows, IReadOnlyList<string> notes, int epochs, long images, int size, string loadBefore, string loadAfter)
{
    public void Print(TextWriter w)
    {
        w.WriteLine($"Frozen stage: {epochs} head epochs over {images:N0} images at {size}² (wall seconds; speed-up = PyTorch naive's time ÷ this time)");
        w.WriteLine($"{"",-40} {"wall s",8} {"1st epoch s",12} {"later epochs s",15} {"speed-up",9} {"head max |Δ| vs Tanuki",23} {"other",6}");
        w.WriteLine(new string('-', 118));
        FrozenStageRow? naive = rows.FirstOrDefault(r => r.Name.StartsWith("PyTorch naive", StringComparison.Ordinal));
        foreach (FrozenStageRow r in rows)
        {
            string speedup = naive is null ? "-" : (naive.Seconds / r.Seconds).ToString("0.00", CultureInfo.InvariantCulture) + "×";
            string diff = r.HeadDifference is double d ? d.ToString("0.0e+0", CultureInfo.InvariantCulture) : "-";
            w.WriteLine($"{r.Name,-40} {r.Seconds,8:0.00} {r.FirstEpoch,12:0.00} {r.LaterEpochs,15:0.000} {speedup,9} {diff,23} {r.OtherCores,6:0.00}{(r.OtherCores > RunReport.BusyCores ? " !" : "")}");
        }
        w.WriteLine();
        FrozenStageRow? tanuki = rows.FirstOrDefault(r => r.Name.StartsWith("Tanuki Fit (feature cache", StringComparison.Ordinal));
        if (tanuki is not null && naive is not null)
        {
            double s = naive.Seconds / tanuki.Seconds;
            w.WriteLine($"Goal (issue 14): Tanuki's frozen stage ≥ 15× faster than the naive PyTorch loop: {s:0.00}× ({(s >= 15 ? "met" : "not met")}; issue 7's 10×: {(s >= 10 ? "met" : "not met")}).");
        }
        w.WriteLine($"load average before {loadBefore}, after {loadAfter}");
        var busy = rows.Where(r => r.OtherCores > RunReport.BusyCores).ToList();
        if (busy.Count > 0)
            w.WriteLine($"WARNING: other processes were busy during {string.Join(", ", busy.Select(r => r.Name))} (marked !): those times are long and the speed-ups unreliable.");
        foreach (string n in notes) w.WriteLine("note: " + n);
    }

    public string ToJson() => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["date"] = DateTime.Now.ToString("s", CultureInfo.InvariantCulture),
        ["cpu"] = RunReport.CpuModel(),
        ["cores"] = Environment.ProcessorCount,
        ["epochs"] = epochs,
        ["images"] = images,
        ["size"] = size,
        ["load_average_before"] = loadBefore,
        ["load_average_after"] = loadAfter,
        ["rows"] = rows.Select(r => new Dictionary<string, object?>
        {
            ["name"] = r.Name, ["seconds"] = r.Seconds, ["first_epoch_s"] = r.FirstEpoch, ["later_epochs_mean_s"] = r.LaterEpochs,
            ["head_max_abs_difference_vs_tanuki"] = r.HeadDifference, ["other_cores"] = r.OtherCores,
        }).ToList(),
        ["notes"] = notes,
    }, new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });
}
