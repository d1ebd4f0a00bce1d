using System.Globalization;
using System.Net;
using System.Text;
using ScottPlot;

namespace Tanuki.Cli.Report;

/// <summary>
/// Writes the HTML training report: learning curves (loss and accuracy, training and validation, with a marker
/// where fine-tuning starts) and the confusion matrix as PNGs beside it, per-class accuracy, timings and the
/// exact command. Every file goes to a temporary name first, then is renamed.
/// </summary>
internal static class ReportWriter
{
    /// <summary>The largest side of a picture, in pixels: a confusion matrix of hundreds of classes stays a picture Skia can make.</summary>
    internal const int MaxPlotSide = 2400;

    /// <summary>From this many classes the confusion matrix is a heat map without numbers, and the page lists the most confused pairs.</summary>
    internal const int ManyClasses = 30;

    /// <summary>
    /// Writes <paramref name="htmlPath"/> and its PNGs (in a folder named after it); returns the PNG paths. The PNGs are
    /// drawn into a temporary folder first and moved in only when all are made, then the page is written atomically:
    /// a failure leaves the previous report as it was and no half-written folder.
    /// </summary>
    public static IReadOnlyList<string> Write(string htmlPath, ReportData data)
    {
        string full = Path.GetFullPath(htmlPath);
        string dir = Path.GetDirectoryName(full)!;
        string stem = Path.GetFileNameWithoutExtension(full);
        string assets = AssetsFolder(full);
        if (File.Exists(assets))
            throw new IOException($"'{assets}' is a file, but the report keeps its pictures in a folder of that name. Move the file, or choose another --report name.");
        Directory.CreateDirectory(dir);
        DeleteStaleStaging(dir, stem);
        string staging = Path.Combine(dir, $".{stem}_files.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            var (epochs, series, fineTuneAt) = Curves(data);
            var names = new List<string>();
            void Draw(string name, Action<Plot> draw, int width = 720, int height = 420)
            {
                WritePlot(Path.Combine(staging, name), draw, width, height);
                names.Add(name);
            }
            bool hasCurves = epochs.Length > 0;
            if (hasCurves) Draw("loss.png", p => PlotCurves(p, epochs, series, fineTuneAt, "loss", "Loss"));
            if (data.HeadSearch.Count > 0) Draw("head.png", p => PlotHeadSearch(p, data.HeadSearch));
            bool hasAccuracy = hasCurves && series.ContainsKey("accuracy");
            if (hasAccuracy) Draw("accuracy.png", p => PlotCurves(p, epochs, series, fineTuneAt, "accuracy", "Accuracy"));
            int size = ConfusionSide(data.ClassNames.Count);
            Draw("confusion.png", p => PlotConfusion(p, data), size, size);

            Directory.CreateDirectory(assets);
            var pngs = new List<string>();
            foreach (string name in names)
            {
                string target = Path.Combine(assets, name);
                File.Move(Path.Combine(staging, name), target, overwrite: true);
                pngs.Add(target);
            }
            string html = Html(data, stem + "_files/", hasCurves, hasAccuracy);
            Tanuki.Saving.AtomicFile.Write(full, s => s.Write(Encoding.UTF8.GetBytes(html)));
            return pngs;
        }
        finally
        {
            try { Directory.Delete(staging, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>Staging folders a killed run left (<c>.NAME_files.GUID.tmp</c>, only those this class makes).</summary>
    private static void DeleteStaleStaging(string dir, string stem)
    {
        foreach (string folder in Directory.EnumerateDirectories(dir, $".{stem}_files.*.tmp").ToList())
        {
            string guid = Path.GetFileName(folder)[(stem.Length + 8)..^4];
            if (guid.Length != 32 || !guid.All(char.IsAsciiHexDigitLower)) continue;
            try { Directory.Delete(folder, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>The folder beside the page that holds its pictures: <c>report_files</c> for <c>report.html</c>.</summary>
    public static string AssetsFolder(string htmlPath)
    {
        string full = Path.GetFullPath(htmlPath);
        return Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + "_files");
    }

    /// <summary>The pictures the report writes into <see cref="AssetsFolder"/>.</summary>
    public static readonly string[] AssetNames = ["loss.png", "head.png", "accuracy.png", "confusion.png"];

    /// <summary>The confusion matrix's side in pixels: 60 per class, within [420, <see cref="MaxPlotSide"/>].</summary>
    internal static int ConfusionSide(int classes) => (int)Math.Clamp(60L * classes + 200, 420, MaxPlotSide);

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

    private static void WritePlot(string path, Action<Plot> draw, int width = 720, int height = 420)
    {
        var plot = new Plot();
        draw(plot);
        plot.SavePng(path, width, height);
    }

    private static void PlotCurves(Plot plot, double[] epochs, Dictionary<string, double[]> series, int? fineTuneAt, string key, string title)
    {
        if (series.TryGetValue(key, out double[]? train))
        {
            var s = plot.Add.Scatter(epochs, train);
            s.LegendText = "training";
        }
        if (series.TryGetValue("val_" + key, out double[]? val))
        {
            var s = plot.Add.Scatter(epochs, val);
            s.LegendText = "validation";
        }
        if (fineTuneAt is int at)
        {
            var line = plot.Add.VerticalLine(at + 0.5);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "fine-tuning starts";
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(key);
        plot.ShowLegend();
    }

    /// <summary>The head's cross-validation: out-of-fold cross-entropy against the penalty, with and without the mirror-image average.</summary>
    private static void PlotHeadSearch(Plot plot, IReadOnlyList<Tanuki.FineTuning.HeadCandidate> search)
    {
        foreach (bool flip in search.Select(c => c.FlipAverage).Distinct().Order())
        {
            var rows = search.Where(c => c.FlipAverage == flip).OrderBy(c => c.L2).ToArray();
            var s = plot.Add.Scatter(rows.Select(c => Math.Log10(c.L2)).ToArray(), rows.Select(c => c.LogLoss).ToArray());
            s.LegendText = flip ? "image and mirror image averaged" : "image alone";
        }
        var best = search[0];
        var marker = plot.Add.Marker(Math.Log10(best.L2), best.LogLoss);
        marker.MarkerSize = 14;
        marker.LegendText = "chosen";
        plot.Title("Head: cross-validated cross-entropy by L2 penalty");
        plot.XLabel("log10(L2 penalty)");
        plot.YLabel("out-of-fold cross-entropy");
        plot.ShowLegend();
    }

    private static void PlotConfusion(Plot plot, ReportData data)
    {
        int k = data.ClassNames.Count;
        var m = data.Confusion;
        var normalized = new double[k, k];
        for (int r = 0; r < k; r++)
        {
            double total = 0;
            for (int c = 0; c < k; c++) total += m[r, c];
            for (int c = 0; c < k; c++) normalized[r, c] = total == 0 ? 0 : m[r, c] / total;
        }
        int side = ConfusionSide(k);
        double cellPixels = (side - 200.0) / k;                 // about
        if (k >= ManyClasses)
        {
            // Hundreds of classes: one heat-map image (a rectangle and a number per cell would be 10⁵ objects, unreadable).
            var flipped = new double[k, k];
            for (int r = 0; r < k; r++)
                for (int c = 0; c < k; c++) flipped[r, c] = normalized[r, c];
            var heat = plot.Add.Heatmap(flipped);
            heat.Colormap = new ScottPlot.Colormaps.Blues();
            plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
            plot.Grid.IsVisible = false;
            int every = Math.Max(1, (int)Math.Ceiling(10 / Math.Max(cellPixels, 0.1)));   // a label at least every 10 pixels
            double[] at = Enumerable.Range(0, k).Where(i => i % every == 0).Select(i => (double)i).ToArray();
            plot.Axes.Bottom.SetTicks(at, at.Select(i => Shorten(data.ClassNames[(int)i])).ToArray());
            plot.Axes.Left.SetTicks(at.Select(i => k - 1 - i).ToArray(), at.Select(i => Shorten(data.ClassNames[(int)i])).ToArray());
            plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.TickLabelStyle.FontSize = plot.Axes.Left.TickLabelStyle.FontSize = (float)Math.Clamp(cellPixels * every * 0.8, 6, 12);
            plot.Title($"Confusion matrix ({data.EvaluatedOn}), share of each true class");
            plot.XLabel("predicted");
            plot.YLabel("true");
            return;
        }
        // One rectangle per cell, shaded from white (0) to dark blue (every sample of the row), with its count.
        for (int r = 0; r < k; r++)
            for (int c = 0; c < k; c++)
            {
                double v = normalized[r, c];
                double y = k - 1 - r;
                var cell = plot.Add.Rectangle(c - 0.5, c + 0.5, y - 0.5, y + 0.5);
                cell.FillStyle.Color = new Color((byte)(255 - 222 * v), (byte)(255 - 180 * v), (byte)(255 - 100 * v));
                cell.LineStyle.Color = Colors.White;
                var t = plot.Add.Text(m[r, c].ToString(CultureInfo.InvariantCulture), c, y);
                t.LabelAlignment = Alignment.MiddleCenter;
                t.LabelFontColor = v > 0.5 ? Colors.White : Colors.Black;
                t.LabelFontSize = 14;
            }
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.Grid.IsVisible = false;
        double[] ticks = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, data.ClassNames.ToArray());
        plot.Axes.Left.SetTicks(ticks, data.ClassNames.Reverse().ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = k > 6 ? 45 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = k > 6 ? Alignment.MiddleLeft : Alignment.UpperCenter;
        plot.Title($"Confusion matrix ({data.EvaluatedOn})");
        plot.XLabel("predicted");
        plot.YLabel("true");
    }

    private static string Shorten(string name) => name.Length <= 24 ? name : name[..23] + "…";

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

    private static string Html(ReportData data, string assets, bool hasCurves, bool hasAccuracy)
    {
        static string E(string s) => WebUtility.HtmlEncode(s);
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Tanuki training report</title>");
        sb.AppendLine("<style>body{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}" +
                      "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}" +
                      "th{background:#f4f4f4}code,pre{background:#f6f6f6;padding:.2em .4em}img{max-width:100%}</style></head><body>");
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
        if (data.HeadSearch.Count > 0)
        {
            sb.AppendLine("<h2>The head's cross-validation</h2>");
            sb.AppendLine($"<img src=\"{E(assets)}head.png\" alt=\"cross-validated cross-entropy by penalty\">");
        }
        if (hasCurves)
        {
            sb.AppendLine("<h2>Learning curves</h2>");
            sb.AppendLine($"<img src=\"{E(assets)}loss.png\" alt=\"loss per epoch\">");
            if (hasAccuracy) sb.AppendLine($"<img src=\"{E(assets)}accuracy.png\" alt=\"accuracy per epoch\">");
            if (data.Stage2 is not null && data.Stage1.Epochs.Count > 0)
                sb.AppendLine($"<p>The dashed line marks where fine-tuning starts (after epoch {data.Stage1.Epochs.Count}).</p>");
        }
        sb.AppendLine($"<h2>Confusion matrix ({E(data.EvaluatedOn)})</h2>");
        sb.AppendLine($"<img src=\"{E(assets)}confusion.png\" alt=\"confusion matrix\">");
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
