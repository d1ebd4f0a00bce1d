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
    /// <summary>Writes <paramref name="htmlPath"/> and its PNGs (in a folder named after it); returns the PNG paths.</summary>
    public static IReadOnlyList<string> Write(string htmlPath, ReportData data)
    {
        string full = Path.GetFullPath(htmlPath);
        string dir = Path.GetDirectoryName(full)!;
        string stem = Path.GetFileNameWithoutExtension(full);
        string assets = Path.Combine(dir, stem + "_files");
        Directory.CreateDirectory(assets);

        var (epochs, series, fineTuneAt) = Curves(data);
        var pngs = new List<string>();
        bool hasCurves = epochs.Length > 0;
        if (hasCurves)
        {
            string loss = Path.Combine(assets, "loss.png");
            WritePlot(loss, p => PlotCurves(p, epochs, series, fineTuneAt, "loss", "Loss"));
            pngs.Add(loss);
        }
        if (data.HeadSearch.Count > 0)
        {
            string cv = Path.Combine(assets, "head.png");
            WritePlot(cv, p => PlotHeadSearch(p, data.HeadSearch));
            pngs.Add(cv);
        }
        bool hasAccuracy = hasCurves && series.ContainsKey("accuracy");
        if (hasAccuracy)
        {
            string acc = Path.Combine(assets, "accuracy.png");
            WritePlot(acc, p => PlotCurves(p, epochs, series, fineTuneAt, "accuracy", "Accuracy"));
            pngs.Add(acc);
        }
        string confusion = Path.Combine(assets, "confusion.png");
        int size = Math.Max(420, 60 * data.ClassNames.Count + 200);
        WritePlot(confusion, p => PlotConfusion(p, data), size, size);
        pngs.Add(confusion);

        string rel = stem + "_files/";
        string html = Html(data, rel, hasCurves, hasAccuracy);
        string tmp = full + ".tmp";
        File.WriteAllText(tmp, html, Encoding.UTF8);
        File.Move(tmp, full, overwrite: true);
        return pngs;
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

    private static void WritePlot(string path, Action<Plot> draw, int width = 720, int height = 420)
    {
        var plot = new Plot();
        draw(plot);
        string tmp = path + ".tmp.png";
        plot.SavePng(tmp, width, height);
        File.Move(tmp, path, overwrite: true);
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
