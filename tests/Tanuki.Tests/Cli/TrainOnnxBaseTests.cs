namespace Tanuki.Tests.Cli;

/// <summary><c>tanuki train --base FILE.onnx</c>.</summary>
[Collection(NonParallel.Name)]   // redirects Console
public class TrainOnnxBaseTests
{
    [Fact]
    public void TanukiTrainTakesAnOnnxFileAsItsBase()
    {
        using var dir = new TempDirectory();
        string data = ShapeImages.Write(dir.File("shapes"), 6);
        string onnx = Applications.OnnxImageBaseTests.Classifier("cli.onnx");
        CliResult r = TanukiCommand.Run("train", data, "--base", onnx, "--preprocessing", "unit", "--image-size", "32", "--fine-tune-epochs", "0",
                                        "--out", dir.File("m.tanuki"), "--report", "");
        Assert.True(r.Code == 0, r.ToString());
        Assert.Contains($"Model: cli imported from {onnx} (cut at 'features', unit preprocessing)", r.Out);
        Model m = Model.Load(dir.File("m.tanuki"));
        Assert.Equal(new long[] { -1, 3 }, m.Outputs[0].Shape);
        CliResult bad = TanukiCommand.Run("train", data, "--base", dir.File("none.onnx"), "--out", dir.File("x.tanuki"));
        Assert.Equal(2, bad.Code);
        Assert.Contains("no such file", bad.Err);
    }
}
