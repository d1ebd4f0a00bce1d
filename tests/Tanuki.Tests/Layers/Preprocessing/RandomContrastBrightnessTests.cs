using Tanuki.Layers;

namespace Tanuki.Tests.Layers.Preprocessing;

public class RandomContrastBrightnessTests
{
    [Fact]
    public void ContrastScalesAboutEachChannelsMeanWithinTheFactor()
    {
        torch.manual_seed(4);
        Tensor x = torch.rand(50, 3, 6, 6) * 100 + 50;                          // away from the clipping range
        Tensor y = new RandomContrast(0.4, seed: 2).Call(x, training: true);
        Tensor mean = x.mean([2, 3], keepdim: true);
        Tensor ratio = ((y - mean).abs().sum([2, 3]) / (x - mean).abs().sum([2, 3]));   // N×C: the factor, per image
        Assert.True(ratio.min().item<float>() >= 0.6f - 1e-4 && ratio.max().item<float>() <= 1.4f + 1e-4);
        TensorAssert.Close(ratio[TensorIndex.Colon, 0], ratio[TensorIndex.Colon, 2], atol: 1e-4);   // one factor for all channels
        TensorAssert.Close(mean, y.mean([2, 3], keepdim: true), atol: 1e-3);                         // means kept
        Tensor clipped = new RandomContrast(1.0, seed: 1).Call(torch.rand(20, 3, 5, 5) * 255, training: true);
        Assert.True(clipped.min().item<float>() >= 0 && clipped.max().item<float>() <= 255);
    }

    [Fact]
    public void BrightnessAddsOneOffsetPerImageWithinTheFactorAndClips()
    {
        Tensor x = torch.full(100, 3, 4, 4, 100f);
        Tensor y = new RandomBrightness(0.2, seed: 5).Call(x, training: true);
        Tensor delta = (y - x).amax([1, 2, 3]);
        Assert.True(delta.abs().max().item<float>() <= 0.2f * 255 + 1e-3);
        TensorAssert.Close(delta.reshape(100, 1, 1, 1).expand(100, 3, 4, 4), y - x, atol: 1e-4);
        Tensor bright = new RandomBrightness((0.9, 1.0), seed: 1).Call(x, training: true);
        Assert.Equal(255f, bright.min().item<float>());                         // clipped to the value range
    }
}
