using SkiaSharp;
using Tanuki.Cli.Report;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// Issue 16, item 5: the report failed from about 380 classes (a 23,000-pixel confusion matrix, "invalid SKImageInfo"),
/// after the model was written, leaving a half-written picture folder. Now any number of classes makes a report of
/// bounded size, and a report that cannot be written leaves the previous one. (Since issue 15 the pictures are inside
/// the page, so there is no picture folder to half-write.)
/// </summary>
public class ReportCases
{
    private static History Curve(int epochs)
    {
        var h = new History();
        for (int i = 0; i < epochs; i++)
            h.OnEpochEnd(i, new Dictionary<string, double> { ["loss"] = 1.0 / (i + 1), ["accuracy"] = 0.5 + i * 0.01, ["val_loss"] = 1.1 / (i + 1), ["val_accuracy"] = 0.45 + i * 0.01 });
        return h;
    }

    private static ReportData Data(int classes, Func<int, string>? name = null)
    {
        var confusion = new int[classes, classes];
        var random = new Random(classes);
        for (int r = 0; r < classes; r++)
        {
            confusion[r, r] = random.Next(3, 9);
            confusion[r, (r + 1) % classes] = random.Next(0, 3);
        }
        if (classes > 7) confusion[3, 7] = 40;                         // the most confused pair
        return new ReportData
        {
            Command = "tanuki train photos", Options = [("--epochs", "3")],
            ClassNames = Enumerable.Range(0, classes).Select(name ?? (i => $"class_{i:D4}")).ToArray(),
            Stage1 = Curve(3), Stage2 = Curve(2), Confusion = confusion, EvaluatedOn = "validation set",
            Timings = [("total", TimeSpan.FromSeconds(3))], Results = [("accuracy", "0.5")], ModelPath = "m.tanuki",
        };
    }

    [Theory]
    [InlineData(380)]
    [InlineData(1000)]
    [InlineData(31)]
    public void ManyClassesMakeAReportOfBoundedSize(int classes)
    {
        using var w = new World();
        IReadOnlyList<ReportImage> images = ReportWriter.Write(w.At("out/report.html"), Data(classes));
        using (var codec = SKCodec.Create(new MemoryStream(images.Single(i => i.Name == "confusion").Png)))
        {
            Assert.InRange(codec.Info.Width, 420, ReportWriter.MaxPlotSide);
            Assert.Equal(codec.Info.Width, codec.Info.Height);
        }
        string html = File.ReadAllText(w.At("out/report.html"));
        Assert.Contains("Most confused pairs", html);
        Assert.Contains("<tr><td>class_0003</td><td>class_0007</td><td>40</td></tr>", html);
        Assert.Equal(classes, System.Text.RegularExpressions.Regex.Count(html, @"<tr><td>class_\d+</td><td>\d+</td><td>\d+</td><td>"));   // per-class accuracy
        Assert.Equal(["report.html"], Directory.GetFileSystemEntries(w.At("out")).Select(Path.GetFileName));   // one file, nothing beside it
    }

    [Fact]
    public void ClassNamesWithMarkupAreEscaped()
    {
        using var w = new World();
        ReportWriter.Write(w.At("r.html"), Data(3, i => i == 1 ? "<script>alert('x')</script>" : $"c{i}"));
        string html = File.ReadAllText(w.At("r.html"));
        Assert.DoesNotContain("<script>", html);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Fact]
    public void AFolderBesideThePageIsLeftAlone()
    {
        using var w = new World();
        w.Write("r_files/notes.txt", HostileFiles.Text());                   // what an older tanuki wrote, or the user's
        var before = w.Snapshot();
        ReportWriter.Write(w.At("r.html"), Data(3));
        var after = w.Snapshot();
        after.Remove("r.html");
        Assert.Equal(before, after);
    }

    [Fact]
    public void AFailedRedrawLeavesThePreviousReport()
    {
        using var w = new World();
        ReportWriter.Write(w.At("r.html"), Data(3));
        var before = w.Snapshot();
        ReportData broken = Data(3);
        broken = new ReportData
        {
            Command = broken.Command, Options = broken.Options, ClassNames = ["a", "b", "c", "d"], Stage1 = broken.Stage1, Stage2 = broken.Stage2,
            Confusion = broken.Confusion, EvaluatedOn = broken.EvaluatedOn, Timings = broken.Timings, Results = broken.Results,   // 3×3 counts for 4 names
        };
        Assert.ThrowsAny<Exception>(() => ReportWriter.Write(w.At("r.html"), broken));
        w.AssertUnchanged(before);
    }

    [Fact]
    public void NaNInTheCurvesIsDrawn()
    {
        using var w = new World();
        ReportData data = Data(3);
        data.Stage2!.OnEpochEnd(2, new Dictionary<string, double> { ["loss"] = double.NaN, ["accuracy"] = double.NaN, ["val_loss"] = double.NaN, ["val_accuracy"] = 0.1 });
        Assert.Equal(3, ReportWriter.Write(w.At("r.html"), data).Count);
    }
}
