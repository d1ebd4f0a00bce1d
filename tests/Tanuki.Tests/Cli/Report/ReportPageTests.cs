using System.Text.RegularExpressions;
using SkiaSharp;
using Tanuki.Cli.Report;

namespace Tanuki.Tests.Cli.Report;

/// <summary>
/// Issue 15: the report is one file that a real browser opens without errors, every picture decoding, wherever the file
/// was moved; and its charts have their text on a machine with no fonts at all.
/// </summary>
public class ReportPageTests
{
    // Put into a copy of the page: records load errors of any element (capture phase), and after load writes what
    // became of every <img> into the DOM, which chromium's --dump-dom prints.
    private const string Probe =
        "<script>var probeErrors = 0; window.addEventListener('error', function () { probeErrors++; }, true);" +
        "window.addEventListener('load', function () { var imgs = Array.from(document.images);" +
        " var broken = imgs.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length;" +
        " var out = document.createElement('pre'); out.id = 'probe';" +
        " out.textContent = 'images=' + imgs.length + ' broken=' + broken + ' errors=' + probeErrors + ' sizes=' +" +
        " imgs.map(function (i) { return i.naturalWidth + 'x' + i.naturalHeight; }).join(',');" +
        " document.body.appendChild(out); });</script>";

    private static (int Images, int Broken, int Errors, string Sizes, string Log) Open(string html, string folder)
    {
        string page = Path.Combine(folder, "page.html");
        File.WriteAllText(page, html.Replace("<meta charset=\"utf-8\">", "<meta charset=\"utf-8\">" + Probe, StringComparison.Ordinal));
        var (dom, log) = HeadlessChromium.Load(page);
        Match m = Regex.Match(dom, @"images=(\d+) broken=(\d+) errors=(\d+) sizes=([0-9x,]*)");
        Assert.True(m.Success, $"the probe wrote nothing: the page did not load or its script did not run.\n--- DOM tail:\n{dom[^Math.Min(dom.Length, 2000)..]}\n--- log:\n{log}");
        return (int.Parse(m.Groups[1].Value), int.Parse(m.Groups[2].Value), int.Parse(m.Groups[3].Value), m.Groups[4].Value, log);
    }

    [ChromiumFact]
    public void ABrowserOpensTheReportAloneWithoutErrorsAndDecodesEveryPicture()
    {
        using var written = new TempDirectory();
        using var elsewhere = new TempDirectory();
        IReadOnlyList<ReportImage> images = ReportWriter.Write(written.File("report.html"), ReportWriterTests.Data());
        string html = File.ReadAllText(written.File("report.html"));          // opened from a folder it was moved to, alone

        var (count, broken, errors, sizes, log) = Open(html, elsewhere.Path);
        Assert.Equal(images.Count, count);
        Assert.Equal(0, broken);
        Assert.Equal(0, errors);
        Assert.Equal(string.Join(",", images.Select(i => $"{i.Width}x{i.Height}")), sizes);
        Assert.DoesNotMatch(new Regex("CONSOLE"), log);                        // no console message at all: the page logs nothing

        // The probe sees what it must: a linked picture that is not there and a PNG that does not decode.
        string bad = html.Replace("</body>", "<img src=\"loss.png\"><img src=\"data:image/png;base64,iVBORw0KGgo=\"></body>", StringComparison.Ordinal);
        var (count2, broken2, errors2, _, _) = Open(bad, elsewhere.Path);
        Assert.Equal((images.Count + 2, 2, 2), (count2, broken2, errors2));
    }

    [NoFontsFact]
    public void TheChartsHaveTheirTextWithNoFontsInstalled()
    {
        using var dir = new TempDirectory();
        string data = ShapeImages.Write(dir.File("shapes"), perClass: 4);
        string cli = typeof(ReportWriter).Assembly.Location;
        var r = NoFonts.Run(["dotnet", "exec", cli, "train", data, "--base", "scratch", "--epochs", "1", "--image-size", "32", "--batch-size", "8",
                             "--out", dir.File("m.tanuki"), "--report", dir.File("r.html")], dir.Path);
        Assert.True(r.Code == 0, $"exit code {r.Code}\n{r.Out}\n{r.Err}");

        string html = File.ReadAllText(dir.File("r.html"));
        var pictures = Regex.Matches(html, "data:image/png;base64,([^\"]+)").Select(m => SKBitmap.Decode(Convert.FromBase64String(m.Groups[1].Value))).ToList();
        try
        {
            Assert.Equal(3, pictures.Count);                                   // loss, accuracy, confusion
            foreach (SKBitmap picture in pictures)
            {
                // The data area's frame is the first long dark line from the top and from the left; what is outside it is
                // text (title; tick and axis labels) and, without a font, nothing but the ticks' short marks.
                int top = First(picture.Height, y => Ink(picture, 0, picture.Width, y, y + 1) > picture.Width / 3);
                int left = First(picture.Width, x => Ink(picture, x, x + 1, 0, picture.Height) > picture.Height / 3);
                Assert.True(Ink(picture, 0, picture.Width, 0, top - 2) > 80, $"no title above the frame at y = {top}: the charts' text was not drawn");
                Assert.True(Ink(picture, 0, left - 8, 0, picture.Height) > 150, $"no labels left of the frame at x = {left}: the charts' text was not drawn");
            }
        }
        finally
        {
            foreach (SKBitmap p in pictures) p.Dispose();
        }
    }

    private static int First(int n, Func<int, bool> where) => Enumerable.Range(0, n).First(where);

    private static int Ink(SKBitmap image, int x0, int x1, int y0, int y1)
    {
        int n = 0;
        for (int y = Math.Max(0, y0); y < Math.Min(y1, image.Height); y++)
            for (int x = Math.Max(0, x0); x < Math.Min(x1, image.Width); x++)
            {
                SKColor c = image.GetPixel(x, y);
                if (c.Red < 200 || c.Green < 200 || c.Blue < 200) n++;
            }
        return n;
    }
}
