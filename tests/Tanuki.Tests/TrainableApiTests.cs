using Tanuki.Layers;
using Tanuki.Optimizers;
using Tanuki.Losses;

namespace Tanuki.Tests;

/// <summary>The Keras guide "Transfer learning &amp; fine-tuning", section "Freezing layers", with its exact numbers.</summary>
public class TrainableApiTests
{
    [Fact]
    public void DenseHasTwoTrainableWeights()
    {
        var layer = new Dense(3);
        layer.Build(new long[] { -1, 4 });
        Assert.Equal(2, layer.Weights.Count);
        Assert.Equal(2, layer.TrainableWeights.Count);
        Assert.Empty(layer.NonTrainableWeights);
        Assert.Equal(new long[] { 4, 3 }, layer.Weights[0].Shape);
        Assert.Equal(new long[] { 3 }, layer.Weights[1].Shape);
    }

    [Fact]
    public void BatchNormalizationHasTwoTrainableAndTwoNonTrainableWeights()
    {
        var layer = new BatchNormalization();
        layer.Build(new long[] { -1, 4 });
        Assert.Equal(4, layer.Weights.Count);
        Assert.Equal(new[] { "gamma", "beta" }, layer.TrainableWeights.Select(w => w.Name));
        Assert.Equal(new[] { "moving_mean", "moving_variance" }, layer.NonTrainableWeights.Select(w => w.Name));
    }

    [Fact]
    public void FreezingMovesEveryWeightToNonTrainableAndUnfreezingRestores()
    {
        var layer = new Dense(3);
        layer.Build(new long[] { -1, 4 });
        layer.Trainable = false;
        Assert.Equal(2, layer.Weights.Count);
        Assert.Empty(layer.TrainableWeights);
        Assert.Equal(2, layer.NonTrainableWeights.Count);
        Assert.All(layer.Weights, w => Assert.False(w.Value.requires_grad));
        layer.Trainable = true;
        Assert.Equal(2, layer.TrainableWeights.Count);
        Assert.All(layer.Weights, w => Assert.True(w.Value.requires_grad));
    }

    [Fact]
    public void FitLeavesAFrozenLayerBitIdenticalAndChangesTheTrainableOne()
    {
        TanukiInfo.SetRandomSeed(1);
        var layer1 = new Dense(3, activation: "relu");
        var layer2 = new Dense(3, activation: "sigmoid");
        var model = new Sequential(new Input(3), layer1, layer2);
        layer1.Trainable = false;
        Tensor[] before1 = layer1.GetWeights();
        Tensor[] before2 = layer2.GetWeights();
        model.Compile(optimizer: "adam", loss: "mse");
        model.Fit(torch.rand(2, 3), torch.rand(2, 3), verbose: 0);
        Tensor[] after1 = layer1.GetWeights();
        Tensor[] after2 = layer2.GetWeights();
        for (int i = 0; i < 2; i++) TensorAssert.Equal(before1[i], after1[i]);
        Assert.False(TensorAssert.BitEqual(before2[0], after2[0]), "the trainable kernel did not change");
    }

    [Fact]
    public void FreezingANestedModelCascades()
    {
        var inner = new Sequential(new Input(3), new Dense(3, activation: "relu"), new Dense(3, activation: "relu"));
        var outer = new Sequential(new Input(3), inner, new Dense(3, activation: "sigmoid"));
        Assert.Equal(2, inner.Layers.Count);                     // the Input is not a layer of a Sequential
        Assert.Equal(6, outer.TrainableWeights.Count);
        outer.Trainable = false;
        Assert.False(inner.Trainable);
        Assert.False(inner.Layers[0].Trainable);
        Assert.Empty(outer.TrainableWeights);
        Assert.Equal(6, outer.NonTrainableWeights.Count);
        outer.Trainable = true;
        Assert.True(inner.Layers[0].Trainable);
        Assert.Equal(6, outer.TrainableWeights.Count);
        inner.Trainable = false;
        Assert.Equal(2, outer.TrainableWeights.Count);
        Assert.Equal(4, outer.NonTrainableWeights.Count);
    }

    [Fact]
    public void DefaultNamesAreUniqueAndKerasStyled()
    {
        var a = new BatchNormalization();
        var b = new BatchNormalization();
        Assert.StartsWith("batch_normalization", a.Name);
        Assert.NotEqual(a.Name, b.Name);
        Assert.Matches("^batch_normalization(_[0-9]+)?$", b.Name);
        var d = new Dense(1);
        d.Build(new long[] { -1, 2 });
        Assert.Equal($"{d.Name}/kernel", d.Weights[0].Path);
    }

    [Fact]
    public void BuildIsLazyOnFirstCall()
    {
        var d = new Dense(5);
        Assert.False(d.Built);
        Assert.Empty(d.Weights);
        using Tensor y = d.Call(torch.ones(2, 7));
        Assert.True(d.Built);
        Assert.Equal(new long[] { 2, 5 }, y.shape);
        Assert.Equal(new long[] { 7, 5 }, d.Weights[0].Shape);
    }

    [Fact]
    public void ACustomLoopTrainsOnlyTrainableWeights()
    {
        TanukiInfo.SetRandomSeed(2);
        var frozen = new Dense(4, activation: "relu");
        var head = new Dense(1);
        var model = new Sequential(new Input(3), frozen, head);
        frozen.Trainable = false;
        Tensor[] before = model.GetWeights();
        var optimizer = new Adam();
        var lossFn = new BinaryCrossentropy(fromLogits: true);
        Tensor x = torch.rand(8, 3), y = torch.randint(0, 2, new long[] { 8, 1 }).to_type(ScalarType.Float32);
        for (int step = 0; step < 3; step++)
        {
            using var scope = torch.NewDisposeScope();
            using var tape = new GradientTape();
            Tensor predictions = model.Call(x, training: true);
            Tensor loss = lossFn.Call(y, predictions);
            Tensor[] gradients = tape.Gradient(loss, model.TrainableWeights);
            Assert.Equal(2, gradients.Length);
            optimizer.ApplyGradients(gradients, model.TrainableWeights);
        }
        Tensor[] after = model.GetWeights();
        TensorAssert.Equal(before[0], after[0]);
        TensorAssert.Equal(before[1], after[1]);
        Assert.False(TensorAssert.BitEqual(before[2], after[2]), "the head did not change");
        Assert.Throws<ArgumentException>(() =>
        {
            using var tape = new GradientTape();
            tape.Gradient(lossFn.Call(y, model.Call(x)), frozen.Weights);
        });
    }
}
