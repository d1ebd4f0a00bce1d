using ScottPlot;
using SkiaSharp;
using Tanuki.Cli.Report;

namespace Tanuki.Tests.Cli.Report;

/// <summary>
/// Issue 15: the report's charts. Legends must not hide curves (the loss legend sat on the fine-tuning curve), the
/// confusion matrix's class names must fit (10 names were cut), and the text must be drawn.
/// </summary>
public class ReportChartsTests
{
    private static SKBitmap Render(Plot plot, int width, int height, string name)
    {
        byte[] png = ReportCharts.Png(plot, width, height);
        if (Environment.GetEnvironmentVariable("TANUKI_TEST_KEEP") is string keep) File.WriteAllBytes(Path.Combine(keep, name + ".png"), png);
        return SKBitmap.Decode(png);
    }

    private static bool IsBackground(SKColor c) => c.Red > 245 && c.Green > 245 && c.Blue > 245;

    /// <summary>Stage 1 then stage 2, loss falling to the lower right corner, where ScottPlot puts a legend by default.</summary>
    private static (double[] Epochs, Dictionary<string, double[]> Series) Falling(int epochs)
    {
        double[] x = Enumerable.Range(1, epochs).Select(e => (double)e).ToArray();
        return (x, new Dictionary<string, double[]>
        {
            ["loss"] = x.Select(e => 2.0 / e).ToArray(),
            ["val_loss"] = x.Select(e => 2.2 / e + 0.05).ToArray(),
        });
    }

    [Fact]
    public void EveryPointOfEveryCurveIsVisibleBesideTheLegend()
    {
        var (epochs, series) = Falling(12);
        Plot plot = ReportCharts.Curves(epochs, series, fineTuneAt: 8, "loss", "Loss");
        using SKBitmap image = Render(plot, ReportCharts.CurveWidth, ReportCharts.CurveHeight, "legend");
        var scatters = plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(2, scatters.Count);
        var colors = scatters.Select(s => s.Color).ToList();
        foreach (var (key, values) in series)
            for (int i = 0; i < epochs.Length; i++)
            {
                Pixel p = plot.GetPixel(new Coordinates(epochs[i], values[i]));
                SKColor seen = image.GetPixel((int)Math.Round(p.X), (int)Math.Round(p.Y));
                Assert.True(colors.Any(c => Math.Abs(c.R - seen.Red) + Math.Abs(c.G - seen.Green) + Math.Abs(c.B - seen.Blue) < 40),
                            $"{key} at epoch {epochs[i]}: pixel ({p.X:0}, {p.Y:0}) is {seen}, not a curve's colour: something is drawn over it");
            }
        // and the legend is drawn: text right of the data area
        PixelRect data = plot.RenderManager.LastRender.DataRect;
        Assert.True(CountInk(image, (int)data.Right + 4, image.Width, (int)data.Top, (int)data.Bottom) > 200, "no legend beside the data area");
    }

    [Fact]
    public void TheTitleIsDrawn()
    {
        var (epochs, series) = Falling(5);
        Plot plot = ReportCharts.Curves(epochs, series, null, "loss", "Loss");
        using SKBitmap image = Render(plot, ReportCharts.CurveWidth, ReportCharts.CurveHeight, "title");
        PixelRect data = plot.RenderManager.LastRender.DataRect;
        Assert.True(CountInk(image, 0, image.Width, 0, (int)data.Top - 3) > 80, "no title above the data area");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(29)]
    [InlineData(50)]
    public void LongClassNamesFitInTheConfusionMatrix(int classes)
    {
        string[] names = Enumerable.Range(0, classes).Select(i => $"a rather long class name, number {i:D2} of them").ToArray();
        var counts = new int[classes, classes];
        for (int i = 0; i < classes; i++) { counts[i, i] = 9; counts[i, (i + 1) % classes] = 1; }
        Plot plot = ReportCharts.Confusion(names, counts, "validation set");
        int side = ReportCharts.ConfusionSide(classes);
        using SKBitmap image = Render(plot, side, side, $"confusion{classes}");

        // Nothing touches the picture's edge: a label cut by it would leave ink there.
        const int Edge = 2;
        Assert.Equal(0, CountInk(image, 0, image.Width, 0, Edge));
        Assert.Equal(0, CountInk(image, 0, image.Width, image.Height - Edge, image.Height));
        Assert.Equal(0, CountInk(image, 0, Edge, 0, image.Height));
        Assert.Equal(0, CountInk(image, image.Width - Edge, image.Width, 0, image.Height));

        // The labels are there, left of and below the matrix, at a readable size, and the matrix keeps most of the picture.
        PixelRect data = plot.RenderManager.LastRender.DataRect;
        Assert.True(CountInk(image, 0, (int)data.Left - 4, (int)data.Top, (int)data.Bottom) > 20 * classes, "no class names left of the matrix");
        Assert.True(CountInk(image, (int)data.Left, (int)data.Right, (int)data.Bottom + 4, image.Height) > 20 * classes, "no class names below the matrix");
        Assert.InRange(plot.Axes.Left.TickLabelStyle.FontSize, 8, 14);
        Assert.True(data.Width > 0.5 * side && data.Height > 0.5 * side, $"the matrix is {data.Width}×{data.Height} of {side}×{side}");
        Assert.Equal(classes, plot.Axes.Left.TickGenerator.Ticks.Select(t => t.Label).Distinct().Count());   // every class, told apart
    }

    /// <summary>Pixels that are not the white background in [x0, x1) × [y0, y1).</summary>
    private static int CountInk(SKBitmap image, int x0, int x1, int y0, int y1)
    {
        int n = 0;
        for (int y = Math.Max(0, y0); y < Math.Min(image.Height, y1); y++)
            for (int x = Math.Max(0, x0); x < Math.Min(image.Width, x1); x++)
                if (!IsBackground(image.GetPixel(x, y))) n++;
        return n;
    }
}
