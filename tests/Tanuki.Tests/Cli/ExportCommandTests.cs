using Microsoft.ML.OnnxRuntime;
using Tanuki.Layers;
using Tanuki.Tests.Interop;

namespace Tanuki.Tests.Cli;

/// <summary><c>tanuki export</c>: the file it writes runs in ONNX Runtime as the model does; bad input exits with 2 and says why.</summary>
[Collection(NonParallel.Name)]   // redirects Console
public sealed class ExportCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A small model of the shape 'tanuki train' writes (RGB in, class scores out), with class names.</summary>
    private string SmallModel(string interpolation = "bilinear", long size = 16)
    {
        var input = new Input([3, size, size], "image");
        SymbolicTensor x = new Resizing(8, 8, interpolation: interpolation, name: "resize").Call(input);
        x = new GlobalAveragePooling2D().Call(new Conv2D(4, 3, activation: "relu").Call(new Rescaling(1 / 255.0).Call(x)));
        var model = new Model(input, new Dense(3, name: "predictions").Call(x)) { ClassNames = ["circle", "square", "triangle"] };
        string path = _dir.File("shapes.tanuki");
        model.Save(path);
        return path;
    }

    private static CliResult Run(int expectedCode, params string[] args)
    {
        CliResult r = TanukiCommand.Run(args);
        Assert.True(r.Code == expectedCode, r.ToString());
        return r;
    }

    [Fact]
    public void ExportWritesAFileThatGivesTheModelsProbabilities()
    {
        string model = SmallModel();
        CliResult r = Run(Tanuki.Cli.Program.Ok, "export", model, "--softmax");
        string onnx = Path.ChangeExtension(model, ".onnx");                     // the default --out
        Assert.Contains($"Wrote {onnx}", r.Out);
        Assert.Contains("input:  image (batch, 3, 16, 16)", r.Out);
        Assert.Contains("output: probabilities (batch, 3)", r.Out);
        Assert.Contains("classes: circle, square, triangle", r.Out);
        Assert.Equal("", r.Err);

        using var scope = torch.NewDisposeScope();
        Tensor x = torch.rand([4, 3, 16, 16], generator: new torch.Generator(2)) * 255;
        Tensor expected = Model.Load(model).Predict(x).softmax(-1);
        OnnxExportRunner.AssertClose(expected, OnnxExportRunner.Run(onnx, [x])[0], "tanuki export --softmax");
    }

    [Fact]
    public void OutOpsetAndNoPreprocessingAreApplied()
    {
        string model = SmallModel();
        string onnx = _dir.File(Path.Combine("new folder", "plain.onnx"));
        Run(Tanuki.Cli.Program.Ok, "export", model, "--out", onnx, "--no-preprocessing", "--opset", "15");
        using var session = new InferenceSession(onnx);
        Assert.Equal(["rescaling"], session.InputMetadata.Keys.Select(k => k.Split('_')[0]));    // the input is what the preprocessing gave
        Assert.Equal([-1, 3, 8, 8], session.InputMetadata.Values.Single().Dimensions);
        Assert.Equal("false", session.ModelMetadata.CustomMetadataMap["softmax_included"]);
    }

    [Fact]
    public void AModelThatCannotBeExportedIsBadInputNamingTheLayer()
    {
        string model = SmallModel(interpolation: "area", size: -1);     // an area resize of a free-size input: no opset-17 equivalent
        CliResult r = Run(Tanuki.Cli.Program.BadInput, "export", model, "--out", _dir.File("x.onnx"));
        Assert.StartsWith("tanuki: Cannot export model", r.Err);
        Assert.Contains("layer 'resize' (Resizing)", r.Err);
        Assert.False(File.Exists(_dir.File("x.onnx")));
    }

    [Fact]
    public void BadArgumentsAreBadInput()
    {
        string model = SmallModel();
        Assert.Contains("does not exist", Run(Tanuki.Cli.Program.BadInput, "export", _dir.File("none.tanuki")).Err);
        Assert.Contains("--opset must be 13 to 17", Run(Tanuki.Cli.Program.BadInput, "export", model, "--opset", "18").Err);
        Assert.Contains("is a folder", Run(Tanuki.Cli.Program.BadInput, "export", model, "--out", _dir.Path).Err);
        Assert.Contains("is the model file itself", Run(Tanuki.Cli.Program.BadInput, "export", model, "--out", model).Err);
        Assert.Contains("is not a .tanuki model", Run(Tanuki.Cli.Program.BadInput, "export", WriteText("fake.tanuki", "not a zip")).Err, StringComparison.OrdinalIgnoreCase);
    }

    private string WriteText(string name, string text)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }
}
