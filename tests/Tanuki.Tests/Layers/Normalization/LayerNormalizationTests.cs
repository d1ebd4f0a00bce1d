using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class LayerNormalizationTests
{
    [Fact]
    public void NormalizesTheLastAxisAsPyTorch() =>
        LayerTestHelper.Check(new LayerNormalization(), ReferenceData.Case("layer_norm_last"), trainable: 2).Dispose();

    [Fact]
    public void WithoutCenterAndScaleItHasNoWeights() =>
        LayerTestHelper.Check(new LayerNormalization(epsilon: 1e-5, center: false, scale: false), ReferenceData.Case("layer_norm_plain")).Dispose();

    [Fact]
    public void NormalizesTheChannelsOfEachPixelAsConvNeXt() =>
        LayerTestHelper.Check(new LayerNormalization([1], epsilon: 1e-6), ReferenceData.Case("layer_norm_channels"), trainable: 2).Dispose();

    [Fact]
    public void NormalizesAxesThatAreNotAdjacent() =>
        LayerTestHelper.Check(new LayerNormalization([-1, 1]), ReferenceData.Case("layer_norm_two_axes"), trainable: 2).Dispose();

    [Fact]
    public void GammaAndBetaHaveTheNormalizedSizesInAxisOrder()
    {
        var layer = new LayerNormalization([3, 1]);
        layer.Build(new long[] { -1, 4, 3, 5 });
        Assert.Equal(new long[] { 4, 5 }, layer.Gamma!.Shape);
        Assert.Equal(new[] { "gamma", "beta" }, layer.TrainableWeights.Select(w => w.Name));
        Assert.Equal(new[] { 3, 1 }, (int[])layer.GetConfig()["axis"]!);
    }

    [Fact]
    public void BadArgumentsAreExplained()
    {
        Assert.Contains("not 0", Assert.Throws<ArgumentException>(() => new LayerNormalization([0])).Message);
        Assert.Contains("epsilon=0", Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNormalization(epsilon: 0)).Message);
        var e = Assert.Throws<ArgumentException>(() => new LayerNormalization([3], name: "ln_bad").Call(new Input(4, 5)));
        Assert.Contains("ln_bad", e.Message);
        Assert.Contains("rank 3", e.Message);
    }
}
