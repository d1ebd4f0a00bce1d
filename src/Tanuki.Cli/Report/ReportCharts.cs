using System.Globalization;
using ScottPlot;

namespace Tanuki.Cli.Report;

/// <summary>
/// The report's charts as ScottPlot plots: learning curves, the head's cross-validation and the confusion matrix. Every
/// text is drawn with <see cref="ChartFont"/>; legends sit outside the data area, so no curve is ever behind one.
/// </summary>
internal static class ReportCharts
{
    /// <summary>Width and height of the curve charts, in pixels.</summary>
    public const int CurveWidth = 760, CurveHeight = 420;

    /// <summary>The longest class name a confusion matrix's axis shows whole; longer ones lose their middle to "…" (the page's tables have them whole).</summary>
    public const int MaxLabelLength = 24;

    /// <summary>A new plot that draws its text with the chart font.</summary>
    public static Plot NewPlot()
    {
        var plot = new Plot();
        ChartFont.Apply(plot);
        return plot;
    }

    /// <summary>One metric per epoch, training and validation, with a dashed line where fine-tuning starts.</summary>
    public static Plot Curves(double[] epochs, Dictionary<string, double[]> series, int? fineTuneAt, string key, string title)
    {
        Plot plot = NewPlot();
        if (series.TryGetValue(key, out double[]? train))
            plot.Add.Scatter(epochs, train).LegendText = "training";
        if (series.TryGetValue("val_" + key, out double[]? val))
            plot.Add.Scatter(epochs, val).LegendText = "validation";
        if (fineTuneAt is int at)
        {
            var line = plot.Add.VerticalLine(at + 0.5);
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "fine-tuning starts";
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(key);
        return Finish(plot, legend: true);
    }

    /// <summary>The head's cross-validation: out-of-fold cross-entropy against the penalty, with and without the mirror-image average.</summary>
    public static Plot HeadSearch(IReadOnlyList<Tanuki.FineTuning.HeadCandidate> search)
    {
        Plot plot = NewPlot();
        foreach (bool flip in search.Select(c => c.FlipAverage).Distinct().Order())
        {
            var rows = search.Where(c => c.FlipAverage == flip).OrderBy(c => c.L2).ToArray();
            var s = plot.Add.Scatter(rows.Select(c => Math.Log10(c.L2)).ToArray(), rows.Select(c => c.LogLoss).ToArray());
            s.LegendText = flip ? "image and mirror\nimage averaged" : "image alone";
        }
        var best = search[0];
        var marker = plot.Add.Marker(Math.Log10(best.L2), best.LogLoss);
        marker.MarkerSize = 14;
        marker.LegendText = "chosen";
        plot.Title("Head: cross-validated cross-entropy by L2 penalty");
        plot.XLabel("log10(L2 penalty)");
        plot.YLabel("out-of-fold cross-entropy");
        return Finish(plot, legend: true);
    }

    /// <summary>
    /// The confusion matrix, rows the true classes, each shaded by its share. Up to <see cref="ReportWriter.ManyClasses"/>
    /// classes, one cell per pair with its count; from there a heat map without numbers. Tick labels shrink with the cell
    /// size, and ScottPlot sizes the axis panels from the labels' measured extents, so no label is cut at the edge.
    /// </summary>
    public static Plot Confusion(IReadOnlyList<string> classNames, int[,] m, string evaluatedOn)
    {
        Plot plot = NewPlot();
        int k = classNames.Count;
        var normalized = new double[k, k];
        for (int r = 0; r < k; r++)
        {
            double total = 0;
            for (int c = 0; c < k; c++) total += m[r, c];
            for (int c = 0; c < k; c++) normalized[r, c] = total == 0 ? 0 : m[r, c] / total;
        }
        double cellPixels = (ConfusionSide(k) - 200.0) / k;       // about: the axis panels take the rest
        int every = Math.Max(1, (int)Math.Ceiling(10 / Math.Max(cellPixels, 0.1)));   // a label at least every 10 pixels
        float labelSize = (float)Math.Clamp(cellPixels * every * 0.8, 6, 14);
        if (k >= ReportWriter.ManyClasses)
        {
            // Hundreds of classes: one heat-map image (a rectangle and a number per cell would be 10⁵ objects, unreadable).
            var heat = plot.Add.Heatmap(normalized);
            heat.Colormap = new ScottPlot.Colormaps.Blues();
            plot.Title($"Confusion matrix ({evaluatedOn}), share of each true class");
        }
        else
        {
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
                    t.LabelFontSize = (float)Math.Clamp(cellPixels * 0.3, 8, 14);
                    t.LabelFontName = ChartFont.Name;
                }
            plot.Title($"Confusion matrix ({evaluatedOn})");
        }
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.Grid.IsVisible = false;
        int[] at = Enumerable.Range(0, k).Where(i => i % every == 0).ToArray();
        plot.Axes.Bottom.SetTicks(at.Select(i => (double)i).ToArray(), at.Select(i => Shorten(classNames[i])).ToArray());
        plot.Axes.Left.SetTicks(at.Select(i => (double)(k - 1 - i)).ToArray(), at.Select(i => Shorten(classNames[i])).ToArray());
        bool turn = k > 4 || classNames.Any(n => Shorten(n).Length > 8);
        plot.Axes.Bottom.TickLabelStyle.Rotation = turn ? 90 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = turn ? Alignment.MiddleLeft : Alignment.UpperCenter;
        plot.Axes.Bottom.TickLabelStyle.FontSize = plot.Axes.Left.TickLabelStyle.FontSize = labelSize;
        if (turn)
        {
            // ScottPlot sizes the bottom panel for upright labels; turned ones hang down by their width.
            float widest = at.Max(i => TextWidth(Shorten(classNames[i]), labelSize));
            plot.Axes.Bottom.MinimumSize = widest + 12 + 2 * plot.Axes.Bottom.Label.FontSize + 8;
        }
        plot.XLabel("predicted");
        plot.YLabel("true");
        return Finish(plot, legend: false);
    }

    /// <summary>The confusion matrix's side in pixels: 60 per class, within [420, <see cref="ReportWriter.MaxPlotSide"/>].</summary>
    public static int ConfusionSide(int classes) => (int)Math.Clamp(60L * classes + 200, 420, ReportWriter.MaxPlotSide);

    /// <summary>The picture as PNG bytes.</summary>
    public static byte[] Png(Plot plot, int width, int height) => plot.GetImage(width, height).GetImageBytes(ImageFormat.Png);

    /// <summary>The width of <paramref name="text"/> in the chart font at <paramref name="size"/> pixels.</summary>
    private static float TextWidth(string text, float size)
    {
        using var font = new SkiaSharp.SKFont(Fonts.GetTypeface(ChartFont.Name, bold: false, italic: false), size);
        return font.MeasureText(text);
    }

    // The middle goes: names that differ only at the end ("photos_2023_cat", "photos_2023_dog") stay apart.
    private static string Shorten(string name) =>
        name.Length <= MaxLabelLength ? name : name[..(MaxLabelLength / 2 - 1)] + "…" + name[^(MaxLabelLength / 2)..];

    private static Plot Finish(Plot plot, bool legend)
    {
        ChartFont.Apply(plot);                                  // again: what was added since takes the font too
        if (legend) plot.ShowLegend(Edge.Right);                // a panel beside the data area, never over a curve
        return plot;
    }
}
