using Tanuki.Cli.Report;

namespace Tanuki.Tests.Cli.Report;

public class ReportWriterTests
{
    private static History Hist(params (double Loss, double Acc, double ValLoss, double ValAcc)[] epochs)
    {
        var h = new History();
        for (int i = 0; i < epochs.Length; i++)
            h.OnEpochEnd(i, new Dictionary<string, double>
            {
                ["loss"] = epochs[i].Loss, ["accuracy"] = epochs[i].Acc, ["val_loss"] = epochs[i].ValLoss, ["val_accuracy"] = epochs[i].ValAcc,
            });
        return h;
    }

    internal static ReportData Data() => new()
    {
        Command = "tanuki train photos --epochs 3",
        Options = [("--epochs", "3"), ("--base", "resnet18")],
        ClassNames = ["cat", "dog", "tanuki"],
        Stage1 = Hist((1.0, 0.5, 0.9, 0.55), (0.7, 0.7, 0.6, 0.72), (0.5, 0.8, 0.5, 0.78)),
        Stage2 = Hist((0.4, 0.85, 0.45, 0.82), (0.3, 0.9, 0.42, 0.84)),
        Confusion = new int[,] { { 8, 1, 1 }, { 0, 9, 1 }, { 2, 0, 8 } },
        EvaluatedOn = "validation set",
        Timings = [("stage 1", TimeSpan.FromSeconds(12.3))],
        Results = [("accuracy after fine-tuning", "0.833")],
        ModelPath = "model.tanuki",
    };

    [Fact]
    public void CurvesConcatenateTheStagesAndMarkWhereFineTuningStarts()
    {
        var (epochs, series, at) = ReportWriter.Curves(Data());
        Assert.Equal(new double[] { 1, 2, 3, 4, 5 }, epochs);
        Assert.Equal(new[] { 1.0, 0.7, 0.5, 0.4, 0.3 }, series["loss"]);
        Assert.Equal(new[] { 0.55, 0.72, 0.78, 0.82, 0.84 }, series["val_accuracy"]);
        Assert.Equal(3, at);
    }

    [Fact]
    public void WritesOneHtmlPageWithItsPngsInside()
    {
        string dir = Directory.CreateTempSubdirectory("tanuki-report").FullName;
        try
        {
            string html = Path.Combine(dir, "report.html");
            var images = ReportWriter.Write(html, Data());
            Assert.Equal(["loss", "accuracy", "confusion"], images.Select(i => i.Name));
            string text = File.ReadAllText(html);
            var sources = System.Text.RegularExpressions.Regex.Matches(text, "<img src=\"data:image/png;base64,([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(images.Count, sources.Count);
            for (int i = 0; i < images.Count; i++)
            {
                byte[] bytes = Convert.FromBase64String(sources[i]);
                Assert.Equal(images[i].Png, bytes);
                using var bitmap = SkiaSharp.SKBitmap.Decode(bytes);
                Assert.Equal((images[i].Width, images[i].Height), (bitmap.Width, bitmap.Height));
            }
            Assert.Equal(["report.html"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));   // nothing beside it
            // per-class accuracy from the confusion matrix: tanuki 8 of 10
            Assert.Contains("<td>tanuki</td><td>10</td><td>8</td><td>0.800</td>", text);
            Assert.Contains("tanuki train photos --epochs 3", text);
            if (Environment.GetEnvironmentVariable("TANUKI_TEST_KEEP") is string keep)   // to look at the pictures
                foreach (var image in images) File.WriteAllBytes(Path.Combine(keep, image.Name + ".png"), image.Png);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
