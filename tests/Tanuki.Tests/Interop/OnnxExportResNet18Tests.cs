using Microsoft.ML.OnnxRuntime;
using Tanuki.Applications;
using Tanuki.Interop;
using Tanuki.Interop.OnnxImport.Protos;
using Tanuki.Tests.Applications;

namespace Tanuki.Tests.Interop;

/// <summary>
/// The ResNet-18 workflow's model (preprocessing → pretrained ResNet-18 → pooling → dropout → dense) exported and run by
/// ONNX Runtime on real and random images, against Tanuki's Predict: at 224² (where the preprocessing subtracts the mean
/// image) and at 64²; with a softmax; without the preprocessing.
/// </summary>
public class OnnxExportResNet18Tests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Tensor Images(int size) =>
        torch.cat([ResNet18Fixture.RealImagesRgb(size), ResNet18Fixture.RandomImagesRgb(2, size, seed: 11)], 0);

    [Theory]
    [InlineData(224)]
    [InlineData(64)]
    public void OnnxRuntimeMatchesPredict(int size)
    {
        Model model = OnnxExportWorkflowModel.Create(size, classes: 5);
        using var scope = torch.NewDisposeScope();
        OnnxExportRunner.ExportAndCompare(model, [Images(size)], _dir.File($"workflow{size}.onnx"), $"workflow model at {size}²");
    }

    [Fact]
    public void WithSoftmaxTheFileGivesProbabilitiesAndNamesTheClasses()
    {
        Model model = OnnxExportWorkflowModel.Create(64, classes: 4);
        string path = _dir.File("probabilities.onnx");
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(64);
        Tensor expected = model.Predict(x).softmax(-1);
        model.ExportOnnx(path, new OnnxExportOptions { IncludeSoftmax = true });
        Tensor actual = OnnxExportRunner.Run(path, [x])[0];
        OnnxExportRunner.AssertClose(expected, actual, "softmax of the workflow model");
        TensorAssert.Close(torch.ones(4), actual.sum(-1), atol: 1e-5);

        using var session = new InferenceSession(path);
        Assert.Equal(["image"], session.InputMetadata.Keys);
        Assert.Equal([-1, 3, 64, 64], session.InputMetadata["image"].Dimensions);      // the batch is free
        Assert.Equal(["probabilities"], session.OutputMetadata.Keys);
        var metadata = session.ModelMetadata;
        Assert.Equal("""["class a","class b","class c","class d"]""", metadata.CustomMetadataMap["class_names"]);
        Assert.Equal("true", metadata.CustomMetadataMap["softmax_included"]);
        Assert.Equal("Tanuki", metadata.ProducerName);
        Assert.Equal("classifier", metadata.GraphName);
    }

    /// <summary>Without the preprocessing, the file takes what ResNet18.Preprocess gives (BGR minus the means) and the rest is the same.</summary>
    [Fact]
    public void WithoutPreprocessingTheFileTakesPreprocessedImages()
    {
        Model model = OnnxExportWorkflowModel.Create(64, classes: 3);
        string path = _dir.File("no_preprocessing.onnx");
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(64);
        Tensor expected = model.Predict(x);
        model.ExportOnnx(path, new OnnxExportOptions { IncludePreprocessing = false });
        using (var session = new InferenceSession(path)) Assert.Equal(["preprocess"], session.InputMetadata.Keys);
        var graph = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path)).Graph;
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Gather");      // the RGB → BGR of the preprocessing
        Assert.Equal("Conv", graph.Node[0].OpType);
        Tensor actual = OnnxExportRunner.Run(path, [ResNet18.Preprocess(x)])[0];
        OnnxExportRunner.AssertClose(expected, actual, "the workflow model after its preprocessing");
    }
}
