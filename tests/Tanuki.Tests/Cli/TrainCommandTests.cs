using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tanuki.Data;

namespace Tanuki.Tests.Cli;

/// <summary>
/// <c>tanuki train</c> on a generated folder, then the other verbs on what it wrote, each checked against the model
/// loaded with <see cref="Model.Load"/> and run image by image here.
/// </summary>
[Collection(NonParallel.Name)]   // redirects Console
public class TrainCommandTests(TrainedModelFixture trained) : IClassFixture<TrainedModelFixture>
{
    private static readonly string[] Classes = ShapeImages.Classes;

    private string[] Images => Directory.GetFiles(trained.DataDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();

    /// <summary>The loaded model's class probabilities for one image file.</summary>
    private static float[] Probabilities(Model model, string file)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor image = ImageDataset.LoadImage(file, (32, 32), padToAspectRatio: true);
        Tensor logits = model.Call(image.unsqueeze(0), training: false);
        if (model.TestTimeAugmentation == TestTimeAugmentation.HorizontalFlip)
            logits = (logits + model.Call(image.unsqueeze(0).flip(-1), training: false)) / 2;
        return logits.softmax(-1).squeeze(0).data<float>().ToArray();
    }

    /// <summary>"file: name p, name p" → the (name, probability) pairs.</summary>
    private static (string File, List<(string Class, double P)> Top) ParsePrediction(string line)
    {
        int colon = line.LastIndexOf(": ", StringComparison.Ordinal);
        var top = line[(colon + 2)..].Split(", ").Select(item =>
        {
            int space = item.LastIndexOf(' ');
            return (item[..space], double.Parse(item[(space + 1)..], CultureInfo.InvariantCulture));
        }).ToList();
        return (line[..colon], top);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [Fact]
    public void TrainNamesEveryChoiceItMakesAndWhatItWrote()
    {
        CliResult r = trained.Result;
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("Data: 150 training images of 3 classes (circle, square, stripes)", r.Out);
        Assert.Contains("Images: 32x32, each padded to a square with white", r.Out);
        Assert.Contains("+ head (1,539 parameters)", r.Out);                    // Dense(3) on 512 features
        Assert.Contains("class weights: balanced — 150 images, 50 per class: the weights are all 1", r.Out);
        Assert.Contains("frozen features: 150 images × 6 views — the frozen base ran once on each image, its mirror image and 4 random crops", r.Out);
        Assert.Matches(@"head: logistic regression, L2 = [0-9.e-]+ — stratified 5-fold cross-validation over 10 penalties: out-of-fold accuracy [01]\.\d{3}", r.Out);
        Assert.Matches(@"test-time augmentation: (mirror-image average|none) — cross-validated cross-entropy", r.Out);
        Assert.Contains("Stage 2/2: fine-tuning; unfroze in 'resnet18': ", r.Out);
        Assert.Matches(@"fine-tuning: (kept|reverted) — on 30 held-out images: [01]\.\d{3} fine-tuned against [01]\.\d{3} frozen", r.Out);
        Assert.Contains($"Wrote the model to {trained.ModelPath}", r.Out);
        Assert.Contains($"Wrote the report to {trained.ReportPath}", r.Out);
        Assert.Equal("", r.Err);
        Model model = Model.Load(trained.ModelPath);
        Assert.Equal(Tanuki.Data.ResizeMode.Pad, model.ImageResize);
        Assert.Equal(r.Out.Contains("test-time augmentation: mirror-image average") ? TestTimeAugmentation.HorizontalFlip : TestTimeAugmentation.None,
                     model.TestTimeAugmentation);
    }

    [Fact]
    public void ModelLoadReadsTheModelWithItsClassNamesAndImageSize()
    {
        Model model = Model.Load(trained.ModelPath);
        Assert.Equal(Classes, model.ClassNames);
        Assert.Equal(new long[] { -1, 3, 32, 32 }, model.Inputs[0].Shape);
        Assert.Equal(new long[] { -1, 3 }, model.Outputs[0].Shape);
    }

    [Fact]
    public void PredictOnAnImagePrintsTheClassesAndTheLoadedModelsProbabilities()
    {
        string image = Images[0];
        CliResult r = TanukiCommand.Run("predict", trained.ModelPath, image);
        Assert.True(r.Code == 0, r.ToString());
        var (file, top) = ParsePrediction(Assert.Single(Lines(r.Out)));
        Assert.Equal(image, file);
        Assert.Equal(Classes.Order(), top.Select(t => t.Class).Order());   // --top 3 of 3 classes: each once
        Assert.True(top[0].P >= top[1].P && top[1].P >= top[2].P, r.Out);
        float[] expected = Probabilities(Model.Load(trained.ModelPath), image);
        foreach (var (name, p) in top) Assert.Equal(expected[Array.IndexOf(Classes, name)], p, 0.0006);   // printed to 3 decimals
    }

    [Fact]
    public void PredictTopTwoOnAFolderPrintsOneLinePerImage()
    {
        CliResult r = TanukiCommand.Run("predict", trained.ModelPath, trained.DataDir, "--top", "2");
        Assert.True(r.Code == 0, r.ToString());
        var predictions = Lines(r.Out).Select(ParsePrediction).ToList();
        Assert.Equal(Images, predictions.Select(p => p.File));
        Model model = Model.Load(trained.ModelPath);
        foreach (var (file, top) in predictions)
        {
            Assert.Equal(2, top.Count);
            Assert.All(top, t => Assert.Contains(t.Class, Classes));
            float[] expected = Probabilities(model, file);
            Assert.Equal(Classes[Array.IndexOf(expected, expected.Max())], top[0].Class);
        }
    }

    [Fact]
    public void PredictJsonPrintsOneObjectPerImage()
    {
        CliResult r = TanukiCommand.Run("predict", trained.ModelPath, Path.Combine(trained.DataDir, "square"), "--json", "--top", "2");
        Assert.True(r.Code == 0, r.ToString());
        string[] lines = Lines(r.Out);
        Assert.Equal(TrainedModelFixture.PerClass, lines.Length);
        foreach (string line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            Assert.StartsWith(Path.Combine(trained.DataDir, "square"), doc.RootElement.GetProperty("file").GetString());
            var top = doc.RootElement.GetProperty("predictions").EnumerateArray().ToList();
            Assert.Equal(2, top.Count);
            Assert.All(top, p => Assert.Contains(p.GetProperty("class").GetString(), Classes));
            Assert.InRange(top[1].GetProperty("probability").GetDouble(), 0, top[0].GetProperty("probability").GetDouble());
        }
    }

    [Fact]
    public void EvaluatePrintsTheAccuracyPerClassAccuraciesAndConfusionOfTheLoadedModel()
    {
        CliResult r = TanukiCommand.Run("evaluate", trained.ModelPath, trained.DataDir, "--batch-size", "5");
        Assert.True(r.Code == 0, r.ToString());
        int[,] confusion = ConfusionImageByImage();
        int right = Enumerable.Range(0, 3).Sum(i => confusion[i, i]);
        int n = TrainedModelFixture.PerClass;
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"accuracy: {right / (3.0 * n):0.0000} ({3 * n} images)"), r.Out);
        for (int i = 0; i < 3; i++)
        {
            Assert.Matches(new Regex(string.Create(CultureInfo.InvariantCulture, $@"^\s+{Classes[i]}\s+{confusion[i, i] / (double)n:0.0000}\s+\({confusion[i, i]}/{n}\)$"), RegexOptions.Multiline), r.Out);
            Assert.Matches(new Regex($@"^\s+{Classes[i]}\s+{confusion[i, 0]}\s+{confusion[i, 1]}\s+{confusion[i, 2]}$", RegexOptions.Multiline), r.Out);
        }
    }

    /// <summary>The loaded model's confusion counts on the training folder, image by image.</summary>
    private int[,] ConfusionImageByImage()
    {
        Model model = Model.Load(trained.ModelPath);
        var confusion = new int[3, 3];
        foreach (string file in Images)
        {
            float[] p = Probabilities(model, file);
            confusion[Array.IndexOf(Classes, Path.GetFileName(Path.GetDirectoryName(file))), Array.IndexOf(p, p.Max())]++;
        }
        return confusion;
    }

    [Fact]
    public void EvaluateJsonIsOneDocumentWithTheCountsOfTheLoadedModel()
    {
        CliResult r = TanukiCommand.Run("evaluate", trained.ModelPath, trained.DataDir, "--batch-size", "5", "--json");
        Assert.True(r.Code == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.Out);   // the whole of stdout is one JSON document
        JsonElement root = doc.RootElement;
        int[,] confusion = ConfusionImageByImage();
        int n = TrainedModelFixture.PerClass;
        int right = Enumerable.Range(0, 3).Sum(i => confusion[i, i]);
        Assert.Equal(3 * n, root.GetProperty("count").GetInt64());
        Assert.Equal(right / (3.0 * n), root.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(0, root.GetProperty("non_finite").GetInt64());
        Assert.Equal(Classes, root.GetProperty("classes").EnumerateArray().Select(c => c.GetString()).ToArray());
        var rows = root.GetProperty("confusion_matrix").EnumerateArray().Select(row => row.EnumerateArray().Select(c => c.GetInt32()).ToArray()).ToArray();
        var perClass = root.GetProperty("per_class").EnumerateArray().ToArray();
        Assert.Equal(3, rows.Length);
        Assert.Equal(3, perClass.Length);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Enumerable.Range(0, 3).Select(j => confusion[i, j]).ToArray(), rows[i]);
            Assert.Equal(Classes[i], perClass[i].GetProperty("class").GetString());
            Assert.Equal(n, perClass[i].GetProperty("count").GetInt32());
            Assert.Equal(confusion[i, i], perClass[i].GetProperty("correct").GetInt32());
            Assert.Equal(confusion[i, i] / (double)n, perClass[i].GetProperty("accuracy").GetDouble(), 12);
        }
    }

    [Fact]
    public void PredictJsonOnAFolderWithAnUnreadableFileIsJsonLinesWithAnErrorLine()
    {
        string dir = Directory.CreateTempSubdirectory("tanuki-jsonl").FullName;
        try
        {
            string[] good = Directory.GetFiles(Path.Combine(trained.DataDir, "circle")).Order(StringComparer.Ordinal).Take(2).ToArray();
            foreach (string f in good) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
            File.WriteAllText(Path.Combine(dir, "zz-broken.png"), "not a png");
            CliResult r = TanukiCommand.Run("predict", trained.ModelPath, dir, "--json", "--on-error", "skip");
            Assert.True(r.Code == 0, r.ToString());
            var lines = Lines(r.Out).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();   // every line parses on its own
            Assert.Equal(3, lines.Length);
            Assert.All(lines[..2], l => Assert.Equal(3, l.GetProperty("predictions").GetArrayLength()));
            Assert.EndsWith("zz-broken.png", lines[2].GetProperty("file").GetString());
            Assert.False(string.IsNullOrEmpty(lines[2].GetProperty("error").GetString()));
            Assert.False(lines[2].TryGetProperty("predictions", out _));
            Assert.Contains("JSON Lines", TanukiCommand.Run("predict", "--help").Out);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void SummaryPrintsTheLayerTableAndTheClasses()
    {
        CliResult r = TanukiCommand.Run("summary", trained.ModelPath);
        Assert.True(r.Code == 0, r.ToString());
        foreach (string row in new[] { "resnet18 (Functional)", "avg_pool (GlobalAveragePooling2D)", "predictions (Dense)", "(None, 3)", "Total params:", "Trainable params:", "Non-trainable params:" })
            Assert.Contains(row, r.Out);
        Assert.Contains("Classes (3): circle, square, stripes", r.Out);
        Assert.DoesNotContain("stage5_block3_conv2", r.Out);
        Assert.Contains("stage5_block3_conv2", TanukiCommand.Run("summary", trained.ModelPath, "--expand").Out);
    }

    [Fact]
    public void TheReportCarriesItsPngsInside()
    {
        string html = File.ReadAllText(trained.ReportPath);
        var sources = Regex.Matches(html, "<img src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(4, sources.Count);                                                    // head search, loss, accuracy, confusion
        foreach (string src in sources)
        {
            Assert.StartsWith("data:image/png;base64,", src);
            byte[] bytes = Convert.FromBase64String(src["data:image/png;base64,".Length..]);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        }
        Assert.Contains("<h2>Choices made by the recipe</h2>", html);
        foreach (string choice in new[] { "class weights", "frozen features", "head", "test-time augmentation", "fine-tuning" })
            Assert.Contains($"<tr><td>{choice}</td>", html);
        Assert.Contains("tanuki train " + trained.DataDir, html);
        foreach (string c in Classes) Assert.Contains($"<td>{c}</td>", html);
    }

    [Fact]
    public void NothingButTheModelAndTheReportIsLeft()
    {
        Assert.True(trained.Result.Code == 0, trained.Result.ToString());
        var files = Directory.GetFiles(trained.Root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(trained.Root, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("shapes/", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
        Assert.Equal(["out/shapes.tanuki", "report/training.html"], files);
        Assert.Equal(3 * TrainedModelFixture.PerClass, Images.Length);
    }

    [Fact]
    public void ABaseFromScratchTrainsInOneStageWithoutBeingToldNotToFineTune()
    {
        using var dir = new TempDirectory();
        string data = ShapeImages.Write(dir.File("shapes"), 4);
        CliResult r = TanukiCommand.Run("train", data, "--base", "scratch", "--epochs", "1", "--image-size", "32", "--batch-size", "8",
                                        "--out", dir.File("scratch.tanuki"), "--report", dir.File("scratch.html"));
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("Model: ResNet-18 from random weights", r.Out);
        Assert.Contains("Training ResNet-18 from random weights (1 epoch at", r.Out);
        Assert.DoesNotContain("Stage 2", r.Out);
        Assert.DoesNotContain("frozen features", r.Out);
        Assert.Contains("<tr><th>--fine-tune-epochs</th><td><code>0</code></td></tr>", File.ReadAllText(dir.File("scratch.html")));
        Assert.Equal(ShapeImages.Classes, Model.Load(dir.File("scratch.tanuki")).ClassNames);
    }

    [Fact]
    public void MixedBFloat16FineTunesAndWritesAFloat32Model()
    {
        using var dir = new TempDirectory();
        string data = ShapeImages.Write(dir.File("shapes"), TrainedModelFixture.PerClass);   // enough held-out images to judge fine-tuning
        CliResult r = TanukiCommand.Run(["train", data, "--training-precision", "mixed_bfloat16",
                                         "--out", dir.File("mixed.tanuki"), "--report", dir.File("mixed.html"), .. TanukiCommand.Fast]);
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains("; training steps in mixed bfloat16 (weights float32)", r.Out);
        Assert.Contains("Stage 2/2: fine-tuning", r.Out);
        Assert.Contains("<tr><th>--training-precision</th><td><code>mixed_bfloat16</code></td></tr>", File.ReadAllText(dir.File("mixed.html")));
        using Model model = Model.Load(dir.File("mixed.tanuki"));
        Assert.All(model.Weights, v =>
        {
            Assert.Equal(ScalarType.Float32, v.Value.dtype);
            Assert.True(torch.isfinite(v.Value).all().item<bool>(), v.Path);
        });
    }
}
