using System.Globalization;
using System.Net;
using System.Text;
using ScottPlot;

namespace Tanuki.Cli.Report;

/// <summary>
/// Writes the HTML training report: learning curves (loss and accuracy, training and validation, with a marker
/// where fine-tuning starts), the head's cross-validation and the confusion matrix as PNGs embedded in the page
/// (<c>data:</c> URIs), per-class accuracy, timings and the exact command. The page is one self-contained file that
/// can be moved or mailed alone; it is drawn completely, then written atomically.
/// </summary>
internal static class ReportWriter
{
    /// <summary>The largest side of a picture, in pixels: a confusion matrix of hundreds of classes stays a picture Skia can make.</summary>
    internal const int MaxPlotSide = 2400;

    /// <summary>From this many classes the confusion matrix is a heat map without numbers, and the page lists the most confused pairs.</summary>
    internal const int ManyClasses = 30;

    /// <summary>
    /// Writes <paramref name="htmlPath"/> with its pictures inside; returns the pictures. Everything is drawn before the
    /// file is touched, and the file is replaced atomically: a failure leaves the previous report as it was.
    /// </summary>
    public static IReadOnlyList<ReportImage> Write(string htmlPath, ReportData data)
    {
        string full = Path.GetFullPath(htmlPath);
        IReadOnlyList<ReportImage> images = Draw(data);
        string html = Html(data, images);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        Tanuki.Saving.AtomicFile.Write(full, s => s.Write(Encoding.UTF8.GetBytes(html)));
        return images;
    }

    /// <summary>The report's pictures, in page order: head search (if any), loss, accuracy (if logged), confusion matrix.</summary>
    internal static IReadOnlyList<ReportImage> Draw(ReportData data)
    {
        if (data.Confusion.GetLength(0) != data.ClassNames.Count || data.Confusion.GetLength(1) != data.ClassNames.Count)
            throw new ArgumentException($"The confusion matrix is {data.Confusion.GetLength(0)}×{data.Confusion.GetLength(1)}, but there are {data.ClassNames.Count} class names; expected one row and one column per class.", nameof(data));
        var (epochs, series, fineTuneAt) = Curves(data);
        var images = new List<ReportImage>();
        void Add(string name, string alt, Plot plot, int width, int height) => images.Add(new ReportImage(name, alt, ReportCharts.Png(plot, width, height), width, height));
        if (data.HeadSearch.Count > 0)
            Add("head", "cross-validated cross-entropy by penalty", ReportCharts.HeadSearch(data.HeadSearch), ReportCharts.CurveWidth, ReportCharts.CurveHeight);
        if (epochs.Length > 0)
        {
            Add("loss", "loss per epoch", ReportCharts.Curves(epochs, series, fineTuneAt, "loss", "Loss"), ReportCharts.CurveWidth, ReportCharts.CurveHeight);
            if (series.ContainsKey("accuracy"))
                Add("accuracy", "accuracy per epoch", ReportCharts.Curves(epochs, series, fineTuneAt, "accuracy", "Accuracy"), ReportCharts.CurveWidth, ReportCharts.CurveHeight);
        }
        int side = ReportCharts.ConfusionSide(data.ClassNames.Count);
        Add("confusion", "confusion matrix", ReportCharts.Confusion(data.ClassNames, data.Confusion, data.EvaluatedOn), side, side);
        return images;
    }

    /// <summary>Concatenates the stages: one value per epoch for each log key, and the epoch where stage 2 began.</summary>
    internal static (double[] Epochs, Dictionary<string, double[]> Series, int? FineTuneAt) Curves(ReportData data)
    {
        var keys = data.Stage1.Metrics.Keys.Union(data.Stage2?.Metrics.Keys ?? []).ToList();
        int n1 = data.Stage1.Epochs.Count, n2 = data.Stage2?.Epochs.Count ?? 0;
        var series = new Dictionary<string, double[]>();
        foreach (string k in keys)
        {
            var values = new double[n1 + n2];
            for (int i = 0; i < n1; i++) values[i] = i < data.Stage1[k].Count ? data.Stage1[k][i] : double.NaN;
            for (int i = 0; i < n2; i++) values[n1 + i] = i < data.Stage2![k].Count ? data.Stage2[k][i] : double.NaN;
            series[k] = values;
        }
        double[] epochs = Enumerable.Range(1, n1 + n2).Select(e => (double)e).ToArray();
        return (epochs, series, n2 > 0 ? n1 : null);
    }

    /// <summary>The largest off-diagonal counts: (true, predicted, count), most first.</summary>
    internal static List<(int True, int Predicted, int Count)> MostConfused(int[,] confusion, int top)
    {
        int k = confusion.GetLength(0);
        var pairs = new List<(int, int, int)>();
        for (int r = 0; r < k; r++)
            for (int c = 0; c < k; c++)
                if (r != c && confusion[r, c] > 0) pairs.Add((r, c, confusion[r, c]));
        return pairs.OrderByDescending(p => p.Item3).ThenBy(p => p.Item1).ThenBy(p => p.Item2).Take(top).ToList();
    }

    private static string Html(ReportData data, IReadOnlyList<ReportImage> images)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tanuki training report</title>");
        sb.AppendLine("<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}" +
                      "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}" +
                      "th{background:#f4f4f4}code,pre{background:#f6f6f6;padding:.2em .4em}img{max-width:100%;height:auto;display:block;margin:.5em 0}</style></head><body>");
        sb.AppendLine("<h1>Tanuki training report</h1>");
        sb.AppendLine($"<p>Written {E(DateTime.Now.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} by Tanuki {E(TanukiInfo.Version)}." +
                      (data.ModelPath is null ? "" : $" Model: <code>{E(data.ModelPath)}</code>.") + "</p>");
        sb.AppendLine("<h2>Results</h2><table>");
        foreach (var (name, value) in data.Results) sb.AppendLine($"<tr><th>{E(name)}</th><td>{E(value)}</td></tr>");
        sb.AppendLine("</table>");
        if (data.Choices.Count > 0)
        {
            sb.AppendLine("<h2>Choices made by the recipe</h2><table><tr><th>what</th><th>choice</th><th>why</th></tr>");
            foreach (var c in data.Choices) sb.AppendLine($"<tr><td>{E(c.Name)}</td><td>{E(c.Value)}</td><td>{E(c.Reason)}</td></tr>");
            sb.AppendLine("</table>");
        }
        string Img(string name) => images.Single(i => i.Name == name).Tag();
        if (images.Any(i => i.Name == "head"))
        {
            sb.AppendLine("<h2>The head's cross-validation</h2>");
            sb.AppendLine(Img("head"));
        }
        if (images.Any(i => i.Name == "loss"))
        {
            sb.AppendLine("<h2>Learning curves</h2>");
            sb.AppendLine(Img("loss"));
            if (images.Any(i => i.Name == "accuracy")) sb.AppendLine(Img("accuracy"));
            if (data.Stage2 is not null && data.Stage1.Epochs.Count > 0)
                sb.AppendLine($"<p>The dashed line marks where fine-tuning starts (after epoch {data.Stage1.Epochs.Count}).</p>");
        }
        sb.AppendLine($"<h2>Confusion matrix ({E(data.EvaluatedOn)})</h2>");
        sb.AppendLine(Img("confusion"));
        if (data.ClassNames.Count >= ManyClasses)
        {
            sb.AppendLine("<p>Most confused pairs:</p><table><tr><th>true class</th><th>predicted as</th><th>images</th></tr>");
            foreach (var (t, p, n) in MostConfused(data.Confusion, 20))
                sb.AppendLine($"<tr><td>{E(data.ClassNames[t])}</td><td>{E(data.ClassNames[p])}</td><td>{n}</td></tr>");
            sb.AppendLine("</table>");
        }
        sb.AppendLine("<h2>Per-class accuracy</h2><table><tr><th>class</th><th>samples</th><th>correct</th><th>accuracy</th></tr>");
        for (int r = 0; r < data.ClassNames.Count; r++)
        {
            int total = 0;
            for (int c = 0; c < data.ClassNames.Count; c++) total += data.Confusion[r, c];
            int correct = data.Confusion[r, r];
            string acc = total == 0 ? "–" : (correct / (double)total).ToString("0.000", CultureInfo.InvariantCulture);
            sb.AppendLine($"<tr><td>{E(data.ClassNames[r])}</td><td>{total}</td><td>{correct}</td><td>{acc}</td></tr>");
        }
        sb.AppendLine("</table>");
        sb.AppendLine("<h2>Timings</h2><table>");
        foreach (var (name, d) in data.Timings) sb.AppendLine($"<tr><th>{E(name)}</th><td>{d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s</td></tr>");
        sb.AppendLine("</table>");
        sb.AppendLine($"<h2>Command</h2><pre>{E(data.Command)}</pre><table>");
        foreach (var (name, value) in data.Options) sb.AppendLine($"<tr><th>{E(name)}</th><td><code>{E(value)}</code></td></tr>");
        sb.AppendLine("</table></body></html>");
        return sb.ToString();
    }
}
