using Microsoft.ML.OnnxRuntime;
using Tanuki.Interop;
using Tanuki.Layers;

namespace Tanuki.Tests.Interop;

/// <summary>The export's options and its errors: what cannot be exported is named before anything is written.</summary>
public class OnnxExportOptionsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A layer Tanuki knows nothing about.</summary>
    private sealed class Cube(string name) : Layer(name)
    {
        protected override Tensor Forward(Tensor inputs, bool training) => inputs.pow(3);
    }

    /// <summary>A model with a forward pass of its own.</summary>
    private sealed class Twice() : Model("twice")
    {
        protected override Tensor Forward(Tensor inputs, bool training) => inputs * 2;
    }

    private static Tensor Random(params long[] shape) => torch.randn(shape, generator: new torch.Generator(3));

    [Fact]
    public void EveryLayerThatCannotBeExportedIsNamedAndNothingIsWritten()
    {
        var inner = new Sequential(new Input(4), [new Dense(4), new Cube("inner_cube")], "inner");
        var input = new Input([3, -1, -1], "image");
        SymbolicTensor x = new Resizing(4, 4, interpolation: "area", name: "area_resize").Call(input);
        x = new Cube("cube").Call(new GlobalAveragePooling2D().Call(new Conv2D(4, 1).Call(x)));
        var model = new Model(input, inner.Call(x));
        string path = _dir.File("model.onnx");
        File.WriteAllText(path, "an older file");

        var e = Assert.Throws<NotSupportedException>(() => model.ExportOnnx(path));
        Assert.Contains("nothing was written", e.Message);
        Assert.Contains("3 layers cannot be exported", e.Message);
        Assert.Contains("layer 'area_resize' (Resizing): interpolation \"area\"", e.Message);
        Assert.Contains("fixed input size", e.Message);
        Assert.Contains("layer 'cube' (Cube): Tanuki has no ONNX export for layers of type", e.Message);
        Assert.Contains("layer 'inner/inner_cube' (Cube)", e.Message);
        Assert.Contains("(a custom layer)", e.Message);
        Assert.Contains("Conv2D", e.Message);                                         // the types it does export are listed
        Assert.Equal("an older file", File.ReadAllText(path));                        // the file there is untouched
        Assert.Equal([path], Directory.GetFiles(_dir.Path));                         // and no temporary file is left
    }

    [Fact]
    public void AModelWithItsOwnForwardPassIsRefusedWithTheWayOut()
    {
        var e = Assert.Throws<NotSupportedException>(() => new Twice().ExportOnnx(_dir.File("twice.onnx")));
        Assert.Contains("Model 'twice' is a Twice with a forward pass of its own", e.Message);
        Assert.Contains("functional API", e.Message);
        Assert.False(File.Exists(_dir.File("twice.onnx")));
    }

    [Theory]
    [InlineData(12)]
    [InlineData(18)]
    public void OpsetsOutside13To17AreRefused(int opset)
    {
        var model = new Sequential(new Input(3), new Dense(2));
        var e = Assert.Throws<ArgumentException>(() => model.ExportOnnx(_dir.File("m.onnx"), new OnnxExportOptions { Opset = opset }));
        Assert.Contains($"Tanuki exports ONNX opsets 13 to 17. Received: opset={opset}", e.Message);
    }

    [Fact]
    public void Opset13FilesRunToo()
    {
        OnnxExportCases.Case c = OnnxExportCases.Get("Nested_and_shared");
        string path = _dir.File("opset13.onnx");
        OnnxExportRunner.ExportAndCompare(c.Model, c.Inputs, path, "opset 13", new OnnxExportOptions { Opset = 13 });
        var proto = Tanuki.Interop.OnnxImport.Protos.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        Assert.Equal(13, Assert.Single(proto.OpsetImport).Version);
        Assert.Equal(7, proto.IrVersion);
    }

    [Fact]
    public void OutputsEndTheGraphAtChosenTensors()
    {
        var input = new Input(3, 8, 8);
        SymbolicTensor features = new GlobalAveragePooling2D(name: "pool").Call(new Conv2D(4, 3, activation: "relu").Call(input));
        var model = new Model(input, new Dense(2, name: "head").Call(features));
        string path = _dir.File("features.onnx");
        model.ClassNames = ["cat", "dog"];
        model.ExportOnnx(path, new OnnxExportOptions { Outputs = [features] });

        using var scope = torch.NewDisposeScope();
        Tensor x = Random(3, 3, 8, 8);
        OnnxExportRunner.AssertClose(new Model(input, features).Predict(x), OnnxExportRunner.Run(path, [x])[0], "features");
        using var session = new InferenceSession(path);
        Assert.Equal(["pool"], session.OutputMetadata.Keys);
        Assert.False(session.ModelMetadata.CustomMetadataMap.ContainsKey("class_names"));   // they name the head's outputs, which are cut off
        Assert.DoesNotContain(Tanuki.Interop.OnnxImport.Protos.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph.Initializer, i => i.Name.StartsWith("head", StringComparison.Ordinal));
    }

    [Fact]
    public void OutputsMustBeTensorsOfAFunctionalModel()
    {
        var input = new Input(3);
        var model = new Model(input, new Dense(2).Call(input));
        SymbolicTensor foreign = new Dense(2).Call(new Input(3));
        var e = Assert.Throws<ArgumentException>(() => model.ExportOnnx(_dir.File("a.onnx"), new OnnxExportOptions { Outputs = [foreign] }));
        Assert.Contains("is not a tensor of model", e.Message);
        var sequential = new Sequential(new Input(3), new Dense(2));
        e = Assert.Throws<ArgumentException>(() => sequential.ExportOnnx(_dir.File("b.onnx"), new OnnxExportOptions { Outputs = [input] }));
        Assert.Contains("Outputs can only be chosen in a functional model", e.Message);
    }

    [Fact]
    public void ASoftmaxOnASoftmaxIsRefused()
    {
        var model = new Sequential(new Input(3), new Dense(4, activation: "softmax", name: "probs"));
        var e = Assert.Throws<ArgumentException>(() => model.ExportOnnx(_dir.File("s.onnx"), new OnnxExportOptions { IncludeSoftmax = true }));
        Assert.Contains("after layer 'probs', whose output is already a softmax", e.Message);
        Assert.False(File.Exists(_dir.File("s.onnx")));
    }

    /// <summary>An output that is the input itself (augmentation is the identity in inference) or repeated gets a name of its own.</summary>
    [Fact]
    public void OutputsThatAreInputsOrRepeatedGetTheirOwnNames()
    {
        var a = new Input([2, 4, 4], "a");
        var b = new Input([2, 4, 4], "b");
        SymbolicTensor flipped = new RandomFlip(name: "flip").Call(a);
        SymbolicTensor sum = new Add(name: "sum").Call(a, b);
        var model = new Model([a, b], [flipped, sum, sum]);
        string path = _dir.File("multi.onnx");
        model.ExportOnnx(path, new OnnxExportOptions { ClassNames = ["x"] });
        using var scope = torch.NewDisposeScope();
        Tensor xa = Random(2, 2, 4, 4), xb = Random(2, 2, 4, 4) + 1;
        Tensor[] outs = OnnxExportRunner.Run(path, [xa, xb]);
        TensorAssert.Equal(xa, outs[0]);
        TensorAssert.Equal(xa + xb, outs[1]);
        TensorAssert.Equal(xa + xb, outs[2]);
        using var session = new InferenceSession(path);
        Assert.Equal(["a", "b"], session.InputMetadata.Keys);
        Assert.Equal(["a_output", "sum", "sum_output"], session.OutputMetadata.Keys);
        Assert.Equal("""["x"]""", session.ModelMetadata.CustomMetadataMap["class_names"]);
    }

    [Fact]
    public void AFolderIsNotAFile()
    {
        var model = new Sequential(new Input(3), [new Dense(2)], "tiny");
        var e = Assert.Throws<ArgumentException>(() => model.ExportOnnx(_dir.Path));
        Assert.Contains("is a folder", e.Message);
        Assert.Contains("tiny.onnx", e.Message);
    }
}
