using Tanuki.Cli.Commands;
using Tanuki.Tests.Cli;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// Issue 16, item 1 at the command line: fine-tuning at a learning rate that makes the weights diverge used to save a
/// model that predicted NaN for everything, with exit code 0. Now Fit stops at the step that broke the weights, the
/// recipe falls back to the frozen-base model, and what is saved is finite and says so in the log.
/// </summary>
[Collection(NonParallel.Name)]   // the command's Console is redirected
public class DivergenceCases
{
    [Fact]
    public void FineTuningThatDivergesFallsBackToTheFrozenBaseModel()
    {
        using var w = new World();
        string data = ShapeImages.Write(w.At("more"), perClass: 20);   // 30 held-out images: enough for the recipe to try fine-tuning
        var before = w.Snapshot();
        CliResult r = TanukiCommand.Run(["train", data, "--out", w.At("out/m.tanuki"), "--report", w.At("out/r.html"),
                                         .. TanukiCommand.Fast, "--fine-tune-lr", "10", "--keep-fine-tuning", "always", "--validation-split", "0.5"]);
        Assert.True(r.Code == 0, r.ToString());
        Assert.True(r.Out.Contains("reverted"), r.ToString());
        Model saved = Model.Load(w.At("out/m.tanuki"));
        Assert.Null(ModelFiles.NonFiniteWeight(saved));
        using Tensor image = Tanuki.Data.ImageDataset.LoadImage(w.At("photos/circle.png"), saved);
        Assert.True(torch.isfinite(saved.Predict(image.unsqueeze(0))).all().item<bool>());
        w.AssertUnchanged(before, "out");
        // And the saved model is one predict takes.
        CliResult p = TanukiCommand.Run(["predict", w.At("out/m.tanuki"), w.Photos]);
        Assert.True(p.Code == 0, p.ToString());
        Assert.DoesNotContain("NaN", p.Out);
    }
}
