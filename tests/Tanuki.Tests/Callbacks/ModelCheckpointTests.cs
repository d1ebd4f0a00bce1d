using Tanuki.Callbacks;
using static Tanuki.Tests.Callbacks.CallbackHarness;

namespace Tanuki.Tests.Callbacks;

/// <summary>ModelCheckpoint's save decisions and file names, with a fake saver that writes what the model holds.</summary>
public class ModelCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tanuki-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes the model's first weight value: the epoch number, set by <see cref="Train"/>.</summary>
    private static void FakeSave(Model model, string path) =>
        File.WriteAllText(path, model.Weights[0].Value.flatten()[0].item<float>().ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static Action<int> Train(Model model) =>
        e => model.SetWeights(model.Weights.Select(w => torch.full(w.Shape, (float)e)).ToArray());

    private static ModelCheckpoint Checkpoint(string path, string monitor = "val_loss", bool saveBestOnly = false, string mode = "auto") =>
        new(path, monitor, saveBestOnly, saveWeightsOnly: false, mode, initialValueThreshold: null, verbose: 0, save: FakeSave);

    [Fact]
    public void SaveBestOnlyKeepsTheBestModelInOneFile()
    {
        var model = CompiledModel();
        string path = Path.Combine(_dir, "best.tanuki");
        var ckpt = Checkpoint(path, saveBestOnly: true);
        Run(model, Logs("val_loss", 0.9, 0.5, 0.7, 0.4, 0.6), Train(model), ckpt);
        Assert.Equal("3", File.ReadAllText(path));                    // epoch index 3 had the lowest val_loss
        Assert.Equal(4, ckpt.Best is double b ? (int)(b * 10) : -1);
        Assert.Equal(3, ckpt.SavedPaths.Count);                       // saved at indices 0, 1, 3
    }

    [Fact]
    public void PlaceholdersNameEachFileLikeKeras()
    {
        var model = CompiledModel();
        var ckpt = Checkpoint(Path.Combine(_dir, "sub", "ckpt-{epoch:02d}-{val_loss:.2f}.tanuki"), saveBestOnly: true);
        Run(model, Logs("val_loss", 0.9, 0.5, 0.7, 0.4), Train(model), ckpt);
        Assert.Equal(new[] { "ckpt-01-0.90.tanuki", "ckpt-02-0.50.tanuki", "ckpt-04-0.40.tanuki" },
                     Directory.GetFiles(Path.Combine(_dir, "sub")).Select(Path.GetFileName).Order());
        Assert.Equal("3", File.ReadAllText(Path.Combine(_dir, "sub", "ckpt-04-0.40.tanuki")));
    }

    [Fact]
    public void WithoutSaveBestOnlySavesEveryEpoch()
    {
        var model = CompiledModel();
        var ckpt = Checkpoint(Path.Combine(_dir, "e{epoch}.tanuki"));
        Run(model, Logs("val_loss", 0.9, 0.95, 0.99), Train(model), ckpt);
        Assert.Equal(3, Directory.GetFiles(_dir).Length);
        Assert.Equal("2", File.ReadAllText(Path.Combine(_dir, "e3.tanuki")));
    }

    [Fact]
    public void MaxModeAndInitialThreshold()
    {
        var model = CompiledModel();
        string path = Path.Combine(_dir, "acc.tanuki");
        var ckpt = new ModelCheckpoint(path, "val_accuracy", saveBestOnly: true, saveWeightsOnly: false, mode: "auto",
                                       initialValueThreshold: 0.65, verbose: 0, save: FakeSave);
        Run(model, Logs("val_accuracy", 0.6, 0.7, 0.68, 0.8, 0.75), Train(model), ckpt);
        Assert.Equal(2, ckpt.SavedPaths.Count);   // 0.6 does not beat the threshold 0.65
        Assert.Equal("3", File.ReadAllText(path));
    }

    [Fact]
    public void VerboseMessagesLikeKeras()
    {
        var model = CompiledModel();
        var output = new StringWriter();
        var ckpt = new ModelCheckpoint(Path.Combine(_dir, "m.tanuki"), saveBestOnly: true, mode: "auto", initialValueThreshold: null,
                                       monitor: "val_loss", saveWeightsOnly: false, verbose: 1, save: FakeSave) { Output = output };
        Run(model, Logs("val_loss", 0.5, 0.6), ckpt);
        Assert.Contains("Epoch 1: val_loss improved from inf to 0.50000, saving model to ", output.ToString());
        Assert.Contains("Epoch 2: val_loss did not improve from 0.50000", output.ToString());
    }

    [Fact]
    public void AnUnknownPlaceholderFailsWithTheKeysThereAre()
    {
        var model = CompiledModel();
        var ckpt = Checkpoint(Path.Combine(_dir, "{val_acc:.2f}.tanuki"));
        var e = Assert.Throws<FormatException>(() => Run(model, Logs("val_loss", 0.5), ckpt));
        Assert.Contains("Failed to format this callback filepath", e.Message);
        Assert.Contains("val_loss", e.Message);
    }

    [Fact]
    public void AFolderPathIsRejectedClearly()
    {
        var model = CompiledModel();
        var e = Assert.Throws<IOException>(() => Run(model, Logs("val_loss", 0.5), Checkpoint(_dir)));
        Assert.Contains("is an existing folder", e.Message);
    }
}
