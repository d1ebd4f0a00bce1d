namespace Tanuki.Tests.Cli;

/// <summary>
/// One run of <c>tanuki train</c> on a generated folder (3 classes × 50 images: enough that the recipe holds out 30 to
/// judge fine-tuning), shared by the tests that read what it wrote: the two stages at 32×32 take a few seconds, so
/// they run once.
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    private readonly TempDirectory _dir = new();

    public TrainedModelFixture()
    {
        DataDir = ShapeImages.Write(_dir.File("shapes"), PerClass);
        ModelPath = _dir.File(Path.Combine("out", "shapes.tanuki"));          // folders that do not exist yet
        ReportPath = _dir.File(Path.Combine("report", "training.html"));
        Result = TanukiCommand.Run(["train", DataDir, "--out", ModelPath, "--report", ReportPath, "--seed", "3", .. TanukiCommand.Fast]);
    }

    public const int PerClass = 50;

    public string Root => _dir.Path;
    public string DataDir { get; }
    public string ModelPath { get; }
    public string ReportPath { get; }
    internal CliResult Result { get; }

    public void Dispose() => _dir.Dispose();
}
