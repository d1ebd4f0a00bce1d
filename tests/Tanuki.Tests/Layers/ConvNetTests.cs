using Tanuki.Layers;
using Tanuki.Losses;

namespace Tanuki.Tests.Layers;

/// <summary>The new layers together: a small convnet builds, counts its parameters as Keras would, and trains.</summary>
public class ConvNetTests
{
    private static Sequential SmallConvNet() => new(
        new Input(1, 9, 8),
        new Rescaling(1.0 / 255),
        new Conv2D(4, 3, padding: "same", activation: "relu"),
        new DepthwiseConv2D(3, strides: 2, padding: "same", depthMultiplier: 2),
        new AveragePooling2D(3, 2, explicitPadding: (0, 1, 1, 1), ceilMode: true),   // the general (mask) path
        new MaxPooling2D(2, padding: "same"),                                       // asymmetric TF pads
        new GlobalAveragePooling2D(),
        new Dense(3));

    [Fact]
    public void CountsParametersAsKerasAndPassesGradientsToEveryWeight()
    {
        TanukiInfo.SetRandomSeed(7);
        Sequential model = SmallConvNet();
        // Conv2D 4·1·3·3 + 4 = 40; DepthwiseConv2D 8·1·3·3 + 8 = 80; Dense 8·3 + 3 = 27.
        Assert.Equal(147, model.CountParams());
        Assert.Equal(new long[] { -1, 3 }, model.ComputeOutputShape(new long[] { -1, 1, 9, 8 }));
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.rand(4, 1, 9, 8) * 255;
        using var tape = new GradientTape();
        Tensor loss = new SparseCategoricalCrossentropy(fromLogits: true).Call(torch.tensor(new long[] { 0, 1, 2, 1 }), model.Call(x, training: true));
        Tensor[] grads = tape.Gradient(loss, model.TrainableWeights);
        Assert.Equal(6, grads.Length);
        Assert.All(grads, g => Assert.True(g.abs().sum().item<float>() > 0, "a weight got no gradient"));
    }

    [Fact]
    public void FitLowersTheLoss()
    {
        TanukiInfo.SetRandomSeed(8);
        Sequential model = SmallConvNet();
        model.Compile(optimizer: "adam", loss: new SparseCategoricalCrossentropy(fromLogits: true));
        Tensor x = torch.rand(24, 1, 9, 8) * 255;
        Tensor y = (x.mean([1, 2, 3]) > 127.5).to_type(ScalarType.Int64) + (x[.., 0, 0, 0] > 127.5).to_type(ScalarType.Int64);
        History h = model.Fit(x, y, batchSize: 8, epochs: 15, verbose: 0);
        Assert.True(h.Metrics["loss"][^1] < h.Metrics["loss"][0], $"loss went {h.Metrics["loss"][0]} → {h.Metrics["loss"][^1]}");
    }
}
