using Tanuki.Tests.Data;

namespace Tanuki.Tests.Cli;

/// <summary>
/// The mistakes newcomers make, each answered with exit code 2 and a message on stderr that names the problem and
/// the fix, before any long work where it can be known before.
/// </summary>
[Collection(NonParallel.Name)]   // redirects Console
public sealed class TrainCommandErrorTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Shapes(int perClass = 4) => ShapeImages.Write(_dir.File("shapes"), perClass);

    private static CliResult BadInput(params string[] args)
    {
        CliResult r = TanukiCommand.Run(args);
        Assert.True(r.Code == Tanuki.Cli.Program.BadInput, r.ToString());
        Assert.StartsWith("tanuki: ", r.Err);
        return r;
    }

    private CliResult Train(string dataDir, params string[] more) =>
        BadInput(["train", dataDir, "--out", _dir.File("out/model.tanuki"), "--report", _dir.File("out/report.html"), .. TanukiCommand.Fast, .. more]);

    /// <summary>The run that failed wrote nothing, not even the output folder.</summary>
    private void AssertNothingWritten() => Assert.False(Directory.Exists(_dir.File("out")), "the failed run created the output folder");

    [Fact]
    public void AMissingFolder()
    {
        CliResult r = Train(_dir.File("photos"));
        Assert.Contains($"data folder '{_dir.File("photos")}' does not exist", r.Err);
        Assert.Contains("one subfolder of images per class", r.Err);
        AssertNothingWritten();
    }

    [Fact]
    public void AnEmptyFolder()
    {
        Directory.CreateDirectory(_dir.File("photos"));
        CliResult r = Train(_dir.File("photos"));
        Assert.Contains("No images found", r.Err);
        Assert.Contains("expected one subfolder per class", r.Err);
        AssertNothingWritten();
    }

    [Fact]
    public void OneClass()
    {
        string root = ShapeImages.Write(_dir.File("photos"), classes: ["cats"]);
        CliResult r = Train(root);
        Assert.Contains("single class subfolder, 'cats'", r.Err);
        Assert.Contains("at least two classes", r.Err);
        AssertNothingWritten();
    }

    [Fact]
    public void ATextFileNamedPng()
    {
        string root = Shapes();
        string readme = Path.Combine(root, "square", "readme.png");
        File.WriteAllText(readme, "Photos of squares, taken in 2024.");
        CliResult r = Train(root);
        Assert.Contains($"'{readme}' is not an image", r.Err);
        Assert.Contains("starts with the text \"Photos of square", r.Err);
        AssertNothingWritten();
    }

    [Fact]
    public void ATruncatedJpegFoundWhileTraining()
    {
        string root = Shapes();
        var random = new Random(1);
        byte[] jpeg = ImageFiles.Jpeg(64, 64, ImageFiles.Pixels(64, 64, (_, _) => ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256), 255)), quality: 90);
        string broken = Path.Combine(root, "circle", "broken.jpg");
        File.WriteAllBytes(broken, jpeg[..(jpeg.Length * 6 / 10)]);   // its header is fine: found when decoded
        CliResult r = Train(root, "--validation-split", "0");
        Assert.Contains($"'{broken}' is truncated", r.Err);
        Assert.Contains("Copy it again or delete it", r.Err);
        AssertNothingWritten();
    }

    [Theory]
    [InlineData("16", "--image-size 16 is too small", "at least 32")]
    [InlineData("0", "--image-size 0 is too small", "at least 32")]
    [InlineData("48", "--image-size 48 must be a multiple of 32", "64, 96, 128, 160 or 224")]
    public void AnImageSizeResNet18CannotTake(string size, string problem, string fix)
    {
        CliResult r = BadInput("train", Shapes(), "--image-size", size);
        Assert.Contains(problem, r.Err);
        Assert.Contains(fix, r.Err);
    }

    [Fact]
    public void AnUnknownTrainingPrecision()
    {
        CliResult r = Train(Shapes(), "--training-precision", "float16");
        Assert.Contains("--training-precision 'float16' is not understood", r.Err);
        Assert.Contains("Choose float32 or mixed_bfloat16", r.Err);
        AssertNothingWritten();
    }

    [Fact]
    public void AnUnknownBase()
    {
        CliResult r = Train(Shapes(), "--base", "vgg16");
        Assert.Contains("unknown base 'vgg16'", r.Err);
        Assert.Contains("Choose one of: resnet18, scratch", r.Err);
    }

    [Theory]
    [InlineData("--out", "model.tanuki")]
    [InlineData("--report", "report.html")]
    public void AnOutputPathUnderAFile(string option, string name)
    {
        string file = _dir.File("notes.txt");
        File.WriteAllText(file, "a file, not a folder");
        string path = Path.Combine(file, "run1", name);
        CliResult r = BadInput(["train", Shapes(), option, path, .. TanukiCommand.Fast]);
        Assert.Contains($"{option} '{path}' cannot be written: '{file}' is a file, not a folder", r.Err);
    }

    [Fact]
    public void AnOutputPathThatIsAFolder()
    {
        Directory.CreateDirectory(_dir.File("models"));
        CliResult r = BadInput(["train", Shapes(), "--out", _dir.File("models"), .. TanukiCommand.Fast]);
        Assert.Contains("is a folder; give a file name", r.Err);
    }

    [Fact]
    public void FineTuningABaseFromScratch()
    {
        CliResult r = BadInput("train", Shapes(), "--base", "scratch", "--fine-tune-epochs", "2");
        Assert.Contains("--fine-tune-epochs needs a pretrained base to unfreeze", r.Err);
        Assert.Contains("--base resnet18 to fine-tune", r.Err);
    }

    [Theory]
    [InlineData("stage9", "no layer of the base is named so or starts with it")]
    [InlineData("0", "a fraction of the base must be in (0, 1]")]
    [InlineData("top", "no layer of the base is named so or starts with it")]
    public void AnUnfreezeSpecThatCannotWorkFailsBeforeStageOne(string spec, string message)
    {
        CliResult r = Train(Shapes(), "--unfreeze", spec);
        Assert.Contains(message, r.Err);
        Assert.DoesNotContain("frozen features", r.Out);
        AssertNothingWritten();
    }

    [Theory]
    [InlineData("--validation-split", "0.01", "leaves no validation images")]
    [InlineData("--validation-split", "1", "--validation-split must be in [0, 1)")]
    [InlineData("--patience", "-1", "--patience cannot be negative")]
    [InlineData("--batch-size", "0", "--batch-size must be at least 1")]
    [InlineData("--fine-tune-lr", "0", "--fine-tune-lr must be a positive number")]
    [InlineData("--fine-tune-lr", "1e300", "--fine-tune-lr must be a positive number up to 10")]
    [InlineData("--resize", "fit", "--resize 'fit' is not understood")]
    [InlineData("--tta", "maybe", "--tta 'maybe' is not understood")]
    [InlineData("--class-weight", "auto", "--class-weight 'auto' is not understood")]
    [InlineData("--augment", "flip,blur", "unknown augmentation 'blur'")]
    public void AnOptionValueOutOfRange(string option, string value, string message)
    {
        CliResult r = BadInput("train", Shapes(), option, value, "--image-size", "32");
        Assert.Contains(message, r.Err);
        Assert.Contains(option, r.Err);
    }

    [Fact]
    public void AnUnknownOption()
    {
        CliResult r = BadInput("train", Shapes(), "--epoch", "3");
        Assert.Contains("Unrecognized command or argument '--epoch'", r.Err);
        Assert.Contains("Run 'tanuki train --help' for usage.", r.Err);
    }

    [Fact]
    public void AValueOfTheWrongType()
    {
        CliResult r = BadInput("train", Shapes(), "--epochs", "ten");
        Assert.Contains("'ten'", r.Err);
        Assert.Contains("--epochs", r.Err);
    }

    [Fact]
    public void NoVerb()
    {
        CliResult r = BadInput();
        Assert.Contains("say what to do", r.Err);
    }
}
