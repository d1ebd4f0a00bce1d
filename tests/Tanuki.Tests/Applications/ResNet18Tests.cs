using Tanuki.Applications;
using Tanuki.Layers;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Applications;

/// <summary>ResNet18.Create: shapes at several batch and input sizes, the layer names, freezing and fine-tuning.</summary>
public class ResNet18Tests : IClassFixture<ResNet18Fixture>
{
    private readonly ResNet18Fixture _f;

    public ResNet18Tests(ResNet18Fixture fixture) => _f = fixture;

    [Theory]
    [InlineData(64, 2)]
    [InlineData(96, 3)]
    [InlineData(160, 5)]
    [InlineData(224, 7)]
    public void FeatureMapShapeForEachInputSize(long size, long expected)
    {
        Model model = ResNet18.Create(inputShape: [3, size, size]);
        Assert.Equal(new long[] { -1, 512, expected, expected }, model.Outputs[0].Shape);
        Assert.Equal(new long[] { 32, 512, expected, expected }, model.ComputeOutputShape([new long[] { 32, 3, size, size }])[0]);
    }

    [Fact]
    public void RunsAtBatchOneSevenAndThirtyTwo()
    {
        Model model = ResNet18.Create(inputShape: [3, -1, -1]);           // free spatial size
        Assert.Equal(new long[] { -1, 3, -1, -1 }, model.Inputs[0].Shape);
        using var scope = torch.NewDisposeScope();
        // Small inputs keep this quick; batch 1 also at 224 and 160.
        Assert.Equal(new long[] { 1, 512, 7, 7 }, model.Call(torch.randn(1, 3, 224, 224)).shape);
        Assert.Equal(new long[] { 1, 512, 5, 5 }, model.Call(torch.randn(1, 3, 160, 160)).shape);
        Assert.Equal(new long[] { 7, 512, 3, 3 }, model.Call(torch.randn(7, 3, 96, 96)).shape);
        Assert.Equal(new long[] { 32, 512, 2, 2 }, model.Call(torch.randn(32, 3, 64, 64)).shape);
        Assert.Equal(new long[] { 2, 512, 1, 2 }, model.Call(torch.randn(2, 3, 32, 64)).shape);
    }

    [Fact]
    public void PoolingGivesFeatureVectors()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(2, 3, 64, 64);
        Model avg = ResNet18.Create(pooling: "avg", inputShape: [3, 64, 64]);
        Model max = ResNet18.Create(pooling: "max", inputShape: [3, 64, 64]);
        Model plain = ResNet18.Create(inputShape: [3, 64, 64]);
        Tensor map = plain.Call(x);
        TensorAssert.Close(map.mean([2, 3]), avg.Call(x), atol: 1e-5);
        TensorAssert.Close(map.amax([2, 3]), max.Call(x), atol: 1e-6);
        Assert.Equal("avg_pool", avg.Layers[^1].Name);
        Assert.Equal("max_pool", max.Layers[^1].Name);
    }

    [Fact]
    public void LayerNamesMarkTheStagesAndMatchTheRandomlyInitialisedArchitecture()
    {
        Model imported = ResNet18.Create(inputShape: [3, 64, 64]);
        Model random = ResNet18.Create(weights: null, inputShape: [3, 64, 64]);
        string[] names = imported.Layers.Select(l => l.Name).ToArray();
        Assert.Equal(random.Layers.Select(l => l.Name), names);
        Assert.Equal(random.Layers.Select(l => l.GetType()), imported.Layers.Select(l => l.GetType()));
        Assert.Equal(random.Weights.Select(w => (w.Path, string.Join("x", w.Shape), w.Trainable)),
                     imported.Weights.Select(w => (w.Path, string.Join("x", w.Shape), w.Trainable)));
        foreach (var (a, b) in random.Layers.Zip(imported.Layers))
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(a.GetConfig()), System.Text.Json.JsonSerializer.Serialize(b.GetConfig()));
        Assert.Equal(new[] { "input", "conv1", "conv1_bn", "conv1_relu", "pool1", "stage2_block1_conv1" }, names.Take(6));
        Assert.Contains("stage3_block1_shortcut_conv", names);
        Assert.Contains("stage5_block3_out", names);
        Assert.Equal("stage5_block3_out", names[^1]);
        Assert.Equal(22, imported.Layers.Count(l => l is Conv2D));
        Assert.Equal(22, imported.Layers.Count(l => l is BatchNormalization));
        // The random model is not the pretrained one.
        Assert.False(TensorAssert.BitEqual(random.GetLayer("conv1").Weights[0].Value, imported.GetLayer("conv1").Weights[0].Value));
    }

    [Fact]
    public void FreezingTheBaseFreezesEveryParameter()
    {
        Model baseModel = ResNet18.Create(inputShape: [3, 64, 64]);
        long total = baseModel.CountParams();
        Assert.True(total > 11_000_000, $"{total} parameters");
        long trainable = baseModel.TrainableWeights.Sum(w => w.Count);
        Assert.True(trainable > 11_000_000, $"{trainable} trainable parameters");
        baseModel.Trainable = false;
        Assert.Empty(baseModel.TrainableWeights);
        Assert.Equal(total, baseModel.NonTrainableWeights.Sum(w => w.Count));
        Assert.All(baseModel.Weights, w => Assert.False(w.Value.requires_grad));
        Assert.Equal(0, baseModel.GetSummary().TrainableParams);
        var text = new StringWriter();
        baseModel.Summary(output: text);
        Assert.Contains("Trainable params: 0", text.ToString());
        Assert.Contains($"Non-trainable params: {total.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}", text.ToString());
    }

    [Fact]
    public void UnfreezingTheLastStageAndFittingChangesOnlyItsWeightsAndBatchNormStaysInInferenceMode()
    {
        TanukiInfo.SetRandomSeed(3);
        Model baseModel = ResNet18.Create(inputShape: [3, 64, 64]);
        baseModel.Trainable = false;
        // Unfreeze the last stage, by its name prefix; everything before it stays frozen.
        baseModel.Unfreeze("stage5");
        Assert.Equal("stage5_block1_conv1", baseModel.Layers.First(l => l.Trainable && l.Weights.Count > 0).Name);
        var inputs = new Input(3, 64, 64);
        SymbolicTensor x = baseModel.Call(inputs, training: false);
        x = new GlobalAveragePooling2D().Call(x);
        var head = new Dense(3);
        var clf = new Model(inputs, head.Call(x));
        Dictionary<string, Tensor> before = baseModel.Weights.ToDictionary(w => w.Path, w => w.Value.detach().clone());
        clf.Compile(new SGD(0.1), new Tanuki.Losses.MeanSquaredError());
        using (var scope = torch.NewDisposeScope())
            clf.Fit(ResNet18.Preprocess(ResNet18Fixture.RandomImagesRgb(4, 64, seed: 1)), torch.randn(4, 3), batchSize: 4, epochs: 1, verbose: 0);
        foreach (Variable w in baseModel.Weights)
        {
            bool same = TensorAssert.BitEqual(before[w.Path], w.Value);
            bool shouldChange = w.Path.StartsWith("stage5", StringComparison.Ordinal) && w.Trainable;
            Assert.True(same != shouldChange, $"{w.Path}: {(same ? "unchanged" : "changed")}");
        }
        // Stage 5 BN layers are trainable, yet they ran in inference mode: their moving statistics did not move.
        Assert.Contains(baseModel.Weights, w => w.Path == "stage5_block1_bn1/moving_mean");
    }

    [Fact]
    public void BadArgumentsAreExplained()
    {
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => ResNet18.Create(inputShape: [3, 16, 16])).Message);
        Assert.Contains("at least 32x32", Assert.Throws<ArgumentException>(() => ResNet18.Create(weights: null, inputShape: [3, 64, 31])).Message);
        Assert.Contains("multiples of 32", Assert.Throws<ArgumentException>(() => ResNet18.Create(inputShape: [3, 100, 96])).Message);
        Assert.Contains("3 channels", Assert.Throws<ArgumentException>(() => ResNet18.Create(inputShape: [1, 64, 64])).Message);
        Assert.Contains("includeTop=true", Assert.Throws<ArgumentException>(() => ResNet18.Create(includeTop: true, inputShape: [3, 96, 96])).Message);
        Assert.Contains("pooling", Assert.Throws<ArgumentException>(() => ResNet18.Create(pooling: "mean")).Message);
        Assert.Contains("pooling applies", Assert.Throws<ArgumentException>(() => ResNet18.Create(includeTop: true, pooling: "avg")).Message);
        Assert.Contains("`weights` argument", Assert.Throws<ArgumentException>(() => ResNet18.Create(weights: "imagenet21k")).Message);
        Assert.Contains("weightsPath names no file", Assert.Throws<FileNotFoundException>(() => ResNet18.Create(weightsPath: "/nope/ResNet18.onnx")).Message);
    }

    [Fact]
    public void AnExplicitWeightsPathIsUsed()
    {
        Model model = ResNet18.Create(weightsPath: _f.ModelPath, inputShape: [3, 32, 32]);
        Assert.Equal(new long[] { -1, 512, 1, 1 }, model.Outputs[0].Shape);
        Model viaWeights = ResNet18.Create(weights: _f.ModelPath, inputShape: [3, 32, 32]);
        TensorAssert.Equal(model.GetLayer("conv1").Weights[0].Value, viaWeights.GetLayer("conv1").Weights[0].Value);
    }
}
