using Tanuki.Applications;
using Tanuki.FineTuning;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using Tanuki.Tests.Cli;
using Tanuki.Tests.Interop;

namespace Tanuki.Tests.Applications;

/// <summary>ImageBase.FromOnnx: any ONNX image classifier as a base, cut before its classifier, trained by the recipe and by tanuki train.</summary>
public class OnnxImageBaseTests
{
    /// <summary>A small ImageNet-style classifier: conv → ReLU → global average pool → flatten → Gemm (5 classes) → softmax.</summary>
    internal static string Classifier(string name, bool withGemm = true)
    {
        var g = new torch.Generator(3);
        var b = new OnnxGraphBuilder()
            .Input("images", -1, 3, -1, -1)
            .Initializer("conv_w", torch.randn(8, 3, 3, 3, generator: g) * 0.2)
            .Initializer("conv_b", torch.randn(8, generator: g) * 0.1)
            .Node("Conv", "conv", ["images", "conv_w", "conv_b"], ["c"], ("pads", new long[] { 1, 1, 1, 1 }), ("strides", new long[] { 2, 2 }))
            .Node("Relu", "relu", ["c"], ["r"])
            .Node("GlobalAveragePool", "gap", ["r"], ["p"])
            .Node("Flatten", "flatten", ["p"], ["features"]);
        if (withGemm)
            b.Initializer("fc_w", torch.randn(5, 8, generator: g)).Initializer("fc_b", torch.zeros(5))
             .Node("Gemm", "fc", ["features", "fc_w", "fc_b"], ["logits"], ("transB", 1L))
             .Node("Softmax", "softmax", ["logits"], ["probabilities"], ("axis", 1L))
             .Output("probabilities", -1, 5);
        else b.Output("features", -1, 8);
        return b.Save(name);
    }

    [Fact]
    public void AnOnnxClassifierIsCutBeforeItsClassifierAndTakesItsPreprocessingAlong()
    {
        ImageBase b = ImageBase.FromOnnx(Classifier("cut.onnx"), preprocessing: "unit");
        Assert.Equal(224, b.NativeSize);                               // the file leaves the size free
        Assert.Equal(8, b.FeatureWidth);                               // the Gemm's input: 8 pooled features
        Model m = b.Create(32, 32);
        Assert.Equal(new long[] { -1, 8 }, m.Outputs[0].Shape);
        Assert.DoesNotContain(m.LeafLayers(), l => l is Dense);        // the Gemm is gone

        var tm = TransferModel.Create(b, classes: 3, imageSize: 32, augment: []);
        Assert.DoesNotContain(tm.Classifier.Layers, l => l.Name == "avg_pool");   // the features are pooled already: no pooling added
        // The classifier prepares images itself: 0–255 in, the base's 0–1 inside.
        using var scope = NewDisposeScope();
        Tensor images = torch.rand(2, 3, 32, 32, generator: new torch.Generator(4)) * 255;
        Tensor direct = m.Call(images / 255, training: false);
        Tensor viaClassifier;
        using (no_grad()) viaClassifier = tm.Base.Call(new Rescaling(1 / 255.0).Call(images), training: false);
        TensorAssert.Close(direct, viaClassifier, 1e-5);
    }

    [Fact]
    public void TheRecipeTrainsAClassifierOnAnOnnxBase()
    {
        TanukiInfo.SetRandomSeed(5);
        ImageBase b = ImageBase.FromOnnx(Classifier("recipe.onnx"));
        var tm = TransferModel.Create(b, classes: 3, imageSize: 32, augment: []);
        tm.Classifier.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        using var scope = NewDisposeScope();
        var g = new torch.Generator(6);
        Tensor y = torch.randint(0, 3, 36, generator: g);
        Tensor x = (torch.rand(36, 3, 32, 32, generator: g) * 60 + y.reshape(-1, 1, 1, 1).to_type(ScalarType.Float32) * 60).clamp(0, 255);   // brightness tells the class
        FineTuneResult r = tm.Classifier.FineTune(tm.Base, x, y, options: new FineTuneOptions { FineTuneEpochs = 0, Verbose = 0 });
        Assert.Equal("logistic regression", r.Choices.Single(c => c.Name == "head").Value.Split(',')[0]);
        Assert.True(r.HeadSearch[0].Accuracy > 0.8, $"cross-validated accuracy {r.HeadSearch[0].Accuracy}");
    }

    [Fact]
    public void WhereToCutIsNamedWhenItCannotBeFound()
    {
        string path = Classifier("nogemm.onnx", withGemm: false);
        var e = Assert.Throws<ArgumentException>(() => ImageBase.FromOnnx(path));
        Assert.Contains("Cannot tell where the classifier", e.Message);
        Assert.Contains("features (Flatten)", e.Message);
        Assert.Equal(8, ImageBase.FromOnnx(path, output: "features").FeatureWidth);
        Assert.Contains("has no tensor named 'nope'", Assert.Throws<ArgumentException>(() => ImageBase.FromOnnx(path, output: "nope")).Message);
        Assert.Throws<ArgumentException>(() => ImageBase.FromOnnx(path, preprocessing: "caffe"));
        Assert.Throws<FileNotFoundException>(() => ImageBase.FromOnnx(path + ".missing"));
    }
}
