using Tanuki.Applications;
using Tanuki.Interop.OnnxImport;
using Tanuki.Tests.Interop;

namespace Tanuki.Tests.Applications;

/// <summary>ResNet18.Preprocess and the ResNet18Preprocessing layer against ResNetPreprocess.onnx run by ONNX Runtime.</summary>
public class ResNet18PreprocessTests : IClassFixture<ResNet18Fixture>
{
    private readonly ResNet18Fixture _f;

    public ResNet18PreprocessTests(ResNet18Fixture fixture) => _f = fixture;

    [Fact]
    public void At224ItEqualsResNetPreprocessRunByOnnxRuntime()
    {
        using var scope = torch.NewDisposeScope();
        Tensor rgb = torch.cat([ResNet18Fixture.RandomImagesRgb(2, 224, seed: 11), ResNet18Fixture.RealImagesRgb()], 0);
        string input = OnnxRuntimeReference.FirstInputName(_f.PreprocessPath);
        Tensor expected = torch.cat(Enumerable.Range(0, 4).Select(i => OnnxRuntimeReference.Run(_f.PreprocessPath, (input, rgb[i..(i + 1)]))[0]).ToArray(), 0);
        Tensor actual = ResNet18.Preprocess(rgb);
        TensorAssert.Equal(expected, actual);                                        // one float subtraction each: bit-equal
        TensorAssert.Equal(expected, new ResNet18Preprocessing().Call(rgb));
        TensorAssert.Equal(expected[0], ResNet18.Preprocess(rgb[0]));                // one image, 3×H×W
    }

    [Fact]
    public void AtOtherSizesItSubtractsTheChannelMeansOfTheMeanImage()
    {
        using var scope = torch.NewDisposeScope();
        Tensor rgb = ResNet18Fixture.RandomImagesRgb(2, 96, seed: 12);
        Tensor means = torch.tensor(new float[] { 103.06262f, 115.902885f, 123.15163f }).view(1, 3, 1, 1);
        Tensor expected = torch.stack([rgb[.., 2], rgb[.., 1], rgb[.., 0]], 1) - means;
        TensorAssert.Close(expected, ResNet18.Preprocess(rgb), atol: 1e-4);
        TensorAssert.Close(expected, new ResNet18Preprocessing().Call(rgb), atol: 1e-4);
    }

    [Fact]
    public void ChannelMeansAreTheMeanImagesMeans()
    {
        OnnxGraph graph = OnnxGraph.Read(_f.PreprocessPath);
        Tensor image = OnnxTensors.ToTensor(graph.Initializers.Values.Single(), null, "mean image").to(ScalarType.Float64);
        double[] means = image.mean([0, 2, 3]).data<double>().ToArray();
        for (int c = 0; c < 3; c++) Assert.Equal(means[c], ResNet18.ChannelMeansBgr[c], 6);
        Assert.True(means[0] < means[1] && means[1] < means[2], "the mean image is BGR: blue has the lowest ImageNet mean");
    }

    [Fact]
    public void TheLayerKeepsTheMeanImageAsANonTrainableWeight()
    {
        var layer = new ResNet18Preprocessing();
        layer.Build(new long[] { -1, 3, 224, 224 });
        Assert.Empty(layer.TrainableWeights);
        Variable mean = Assert.Single(layer.NonTrainableWeights);
        Assert.Equal("mean_image", mean.Name);
        Assert.Equal(new long[] { 3, 224, 224 }, mean.Shape);
    }

    [Fact]
    public void BadImagesAreExplained()
    {
        var e = Assert.Throws<ArgumentException>(() => ResNet18.Preprocess(torch.zeros(2, 1, 64, 64)));
        Assert.Contains("RGB values in 0–255, channels first", e.Message);
        Assert.Throws<ArgumentException>(() => ResNet18.Preprocess(torch.zeros(64, 64, 3)));
    }
}
