using SkiaSharp;
using Tanuki.Cli.Report;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// Issue 16, item 5: the report failed from about 380 classes (a 23,000-pixel confusion matrix, "invalid SKImageInfo"),
/// after the model was written, leaving a half-written picture folder. Now any number of classes makes a report of
/// bounded size, and a report that cannot be written leaves the previous one and no partial folder.
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
        IReadOnlyList<string> pngs = ReportWriter.Write(w.At("out/report.html"), Data(classes));
        string confusion = pngs.Single(p => p.EndsWith("confusion.png", StringComparison.Ordinal));
        using (var codec = SKCodec.Create(confusion))
        {
            Assert.InRange(codec.Info.Width, 420, ReportWriter.MaxPlotSide);
            Assert.Equal(codec.Info.Width, codec.Info.Height);
        }
        string html = File.ReadAllText(w.At("out/report.html"));
        Assert.Contains("Most confused pairs", html);
        Assert.Contains("<tr><td>class_0003</td><td>class_0007</td><td>40</td></tr>", html);
        Assert.Equal(classes, System.Text.RegularExpressions.Regex.Count(html, @"<tr><td>class_\d+</td><td>\d+</td><td>\d+</td><td>"));   // per-class accuracy
        Assert.Empty(Directory.GetDirectories(w.At("out"), ".*"));   // no staging folder left
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
    public void AFileWhereThePicturesGoIsRefusedBeforeWritingAnything()
    {
        using var w = new World();
        w.Write("r_files", HostileFiles.Text());
        var before = w.Snapshot();
        var e = Assert.ThrowsAny<IOException>(() => ReportWriter.Write(w.At("r.html"), Data(3)));
        Assert.Contains("r_files", e.Message);
        w.AssertUnchanged(before);
    }

    [Fact]
    public void FilesTheUserKeptInThePictureFolderStay()
    {
        using var w = new World();
        w.Write("r_files/notes.txt", HostileFiles.Text());
        ReportWriter.Write(w.At("r.html"), Data(3));
        Assert.True(File.Exists(w.At("r_files/notes.txt")));
        Assert.True(File.Exists(w.At("r_files/confusion.png")));
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
    public void WhatAKilledReportLeftIsCleanedAndNothingElse()
    {
        using var w = new World();
        string stale = w.At($".r_files.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(stale);
        File.WriteAllBytes(Path.Combine(stale, "loss.png"), new byte[100]);
        Directory.CreateDirectory(w.At(".r_files.mine.tmp"));          // not a name the writer makes
        ReportWriter.Write(w.At("r.html"), Data(3));
        Assert.False(Directory.Exists(stale));
        Assert.True(Directory.Exists(w.At(".r_files.mine.tmp")));
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
