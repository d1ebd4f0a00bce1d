using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tanuki.FewShot;

/// <summary>The tables the run prints, and the JSON file of every run.</summary>
internal static class Report
{
    /// <summary>
    /// One data set's table: per regime (in the order run) and row, the mean ± standard deviation over seeds of test
    /// accuracy and the mean seconds; then tanuki − probe and tanuki − mlnet, the mean ± standard deviation of the
    /// paired differences (same seed); then the regimes the data cannot hold.
    /// </summary>
    public static string Table(string data, IReadOnlyList<RunRecord> runs, IReadOnlyList<string> rows, IReadOnlyList<ImpossibleRegime> impossible)
    {
        var mine = runs.Where(r => r.Data == data).ToList();
        var sb = new StringBuilder();
        string Cell(string s, int width) => s.PadLeft(width);
        sb.Append($"{"regime",-22}{"classes",8}{"train",6}{"test",6}");
        foreach (string row in rows) sb.Append(Cell(row, 22));
        bool probe = rows.Contains("tanuki") && rows.Contains("probe"), mlnet = rows.Contains("tanuki") && rows.Contains("mlnet");
        if (probe) sb.Append(Cell("tanuki−probe", 17));
        if (mlnet) sb.Append(Cell("tanuki−mlnet", 17));
        sb.AppendLine();
        foreach (var regime in mine.GroupBy(r => r.Regime))
        {
            RunRecord first = regime.First();
            int seeds = regime.Select(r => r.Seed).Distinct().Count();
            string train = Range(regime.GroupBy(r => r.Seed).Select(g => g.First().TrainCounts.Sum()));
            string test = Range(regime.GroupBy(r => r.Seed).Select(g => g.First().TestImages));
            sb.Append($"{regime.Key,-22}{first.Classes.Length,8}{train,6}{test,6}");
            foreach (string row in rows)
            {
                var acc = regime.Where(r => r.Row == row && !double.IsNaN(r.Accuracy)).ToList();
                sb.Append(Cell(acc.Count == 0 ? "-" : $"{MeanSd(acc.Select(r => r.Accuracy))} {acc.Average(r => r.Seconds),4:0}s", 22));
            }
            if (probe) sb.Append(Cell(Difference(regime, "probe"), 17));
            if (mlnet) sb.Append(Cell(Difference(regime, "mlnet"), 17));
            sb.AppendLine(seeds == 1 ? "  (1 seed)" : "");
        }
        foreach (var i in impossible.Where(i => i.Data == data)) sb.AppendLine($"{i.Regime,-22}impossible: {i.Reason}");
        foreach (var e in mine.Where(r => r.Error is not null)) sb.AppendLine($"{e.Regime} seed {e.Seed} {e.Row} failed: {e.Error}");
        return sb.ToString();
    }

    /// <summary>Mean ± standard deviation (over seeds, n − 1) of tanuki's accuracy minus the peer's, paired by seed.</summary>
    private static string Difference(IEnumerable<RunRecord> regime, string peer)
    {
        var bySeed = regime.Where(r => !double.IsNaN(r.Accuracy)).GroupBy(r => r.Seed)
            .Select(g => (Tanuki: g.FirstOrDefault(r => r.Row == "tanuki"), Peer: g.FirstOrDefault(r => r.Row == peer)))
            .Where(p => p.Tanuki is not null && p.Peer is not null).Select(p => p.Tanuki!.Accuracy - p.Peer!.Accuracy).ToList();
        return bySeed.Count == 0 ? "-" : MeanSd(bySeed, signed: true);
    }

    public static string MeanSd(IEnumerable<double> values, bool signed = false)
    {
        double[] v = values.ToArray();
        double mean = v.Average();
        string sd = v.Length < 2 ? "  -  " : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)).ToString("0.000", CultureInfo.InvariantCulture);
        return (signed ? mean.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture) : mean.ToString("0.000", CultureInfo.InvariantCulture)) + " ± " + sd;
    }

    private static string Range(IEnumerable<int> values)
    {
        int[] v = values.ToArray();
        return v.Min() == v.Max() ? v[0].ToString(CultureInfo.InvariantCulture) : $"{v.Min()}-{v.Max()}";
    }

    private static readonly JsonSerializerOptions s_json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The JSON file: the settings, the machine's load, every run, the impossible regimes.</summary>
    public static string Json(object settings, IReadOnlyList<RunRecord> runs, IReadOnlyList<ImpossibleRegime> impossible, string loadStart, string loadEnd) =>
        JsonSerializer.Serialize(new
        {
            Benchmark = "fewshot", Settings = settings, Cores = Environment.ProcessorCount, LoadAverageStart = loadStart, LoadAverageEnd = loadEnd,
            Runs = runs, Impossible = impossible,
        }, s_json);

    /// <summary>The tables of a JSON file this program wrote (also of a run still going or stopped: it is rewritten after every seed).</summary>
    public static string Tables(string path)
    {
        using JsonDocument json = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement root = json.RootElement;
        var runs = root.GetProperty("runs").Deserialize<List<RunRecord>>(s_json)!;
        var impossible = root.GetProperty("impossible").Deserialize<List<ImpossibleRegime>>(s_json)!;
        var rows = Settings.AllRows.Where(r => runs.Any(x => x.Row == r)).ToList();
        var sb = new StringBuilder();
        foreach (string data in runs.Select(r => r.Data).Concat(impossible.Select(i => i.Data)).Distinct())
        {
            sb.AppendLine($"== {data}: test accuracy, mean ± standard deviation over seeds, and mean seconds per run ==");
            sb.AppendLine(Table(data, runs, rows, impossible));
        }
        sb.AppendLine($"load average at start {root.GetProperty("load_average_start").GetString()}, at end {root.GetProperty("load_average_end").GetString()} " +
                      $"({root.GetProperty("cores").GetInt32()} cores): times depend on the load, accuracies do not.");
        return sb.ToString();
    }
}
