using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Metrics;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Conformance;

/// <summary>
/// guides/transfer_learning.py, the Keras guide "Transfer learning &amp; fine-tuning": every value it prints and every
/// check it makes. The guide's Xception on cats vs. dogs is a small convolutional base with BatchNormalization on
/// random data here (no download); images are channels-first.
/// </summary>
public class TransferLearningGuideTests
{
    private static (int Weights, int Trainable, int NonTrainable) Counts(Layer layer) =>
        (layer.Weights.Count, layer.TrainableWeights.Count, layer.NonTrainableWeights.Count);

    // transfer_learning.py: "Example: the Dense layer has 2 trainable weights (kernel & bias)"
    [Fact]
    public void DenseHasTwoTrainableWeights()
    {
        var layer = new Dense(3);
        layer.Build(new long[] { -1, 4 });
        Assert.Equal((2, 2, 0), Counts(layer));
    }

    // transfer_learning.py: "Example: the BatchNormalization layer has 2 trainable weights and 2 non-trainable weights"
    [Fact]
    public void BatchNormalizationHasTwoTrainableAndTwoNonTrainableWeights()
    {
        var layer = new BatchNormalization();
        layer.Build(new long[] { -1, 4 });
        Assert.Equal((4, 2, 2), Counts(layer));
    }

    // transfer_learning.py: "Example: setting `trainable` to `False`"
    [Fact]
    public void SettingTrainableToFalse()
    {
        var layer = new Dense(3);
        layer.Build(new long[] { -1, 4 });
        layer.Trainable = false;
        Assert.Equal((2, 0, 2), Counts(layer));
    }

    // transfer_learning.py: a frozen layer's weights are not updated by fit (np.testing.assert_allclose on both)
    [Fact]
    public void AFrozenLayerIsNotUpdatedByFit()
    {
        var layer1 = new Dense(3, activation: "relu");
        var layer2 = new Dense(3, activation: "sigmoid");
        var model = new Sequential(new Input(3), layer1, layer2);
        layer1.Trainable = false;
        Tensor[] initial = layer1.GetWeights();
        model.Compile(optimizer: "adam", loss: "mse");
        model.Fit(torch.rand(2, 3), torch.rand(2, 3), verbose: 0);
        Tensor[] final = layer1.GetWeights();
        TensorAssert.Equal(initial[0], final[0]);
        TensorAssert.Equal(initial[1], final[1]);
    }

    // transfer_learning.py: "Recursive setting of the `trainable` attribute"
    [Fact]
    public void RecursiveSettingOfTrainable()
    {
        var innerModel = new Sequential(new Input(3), new Dense(3, activation: "relu"), new Dense(3, activation: "relu"));
        var model = new Sequential(new Input(3), innerModel, new Dense(3, activation: "sigmoid"));
        model.Trainable = false;   // Freeze the outer model
        Assert.False(innerModel.Trainable);             // All layers in `model` are now frozen
        Assert.False(innerModel.Layers[0].Trainable);   // `trainable` is propagated recursively
    }

    private static Model SmallBase()
    {
        var inputs = new Input(3, 16, 16);
        SymbolicTensor x = new Conv2D(8, 3, padding: "same").Call(inputs);
        x = new BatchNormalization().Call(x);
        x = new ReLU().Call(x);
        x = new Conv2D(8, 3, padding: "same").Call(x);
        x = new BatchNormalization().Call(x);
        return new Model(inputs, new ReLU().Call(x), "base");
    }

    // transfer_learning.py: "The typical transfer-learning workflow" and "Fine-tuning", with the guide's note on
    // BatchNormalization: the base called with training=False stays in inference mode while the model is fine-tuned.
    [Fact]
    public void TheWorkflowFreezeTrainUnfreezeFineTune()
    {
        TanukiInfo.SetRandomSeed(5);
        Model baseModel = SmallBase();
        baseModel.Trainable = false;   // Freeze the base model

        var inputs = new Input(3, 16, 16);
        // We make sure that the base_model is running in inference mode here, by passing `training=False`.
        SymbolicTensor x = baseModel.Call(inputs, training: false);
        x = new GlobalAveragePooling2D().Call(x);
        var head = new Dense(1);
        var model = new Model(inputs, head.Call(x));

        Tensor data = torch.rand(32, 3, 16, 16), labels = torch.randint(0, 2, [32, 1]).to_type(ScalarType.Float32);
        Tensor[] baseBefore = baseModel.GetWeights();
        Tensor headBefore = head.GetWeights()[0];
        model.Compile(new Adam(), new BinaryCrossentropy(fromLogits: true), [new BinaryAccuracy()]);
        model.Fit(data, labels, batchSize: 8, epochs: 2, verbose: 0);
        Tensor[] baseAfter = baseModel.GetWeights();
        for (int i = 0; i < baseBefore.Length; i++) TensorAssert.Equal(baseBefore[i], baseAfter[i]);
        Assert.False(TensorAssert.BitEqual(headBefore, head.GetWeights()[0]), "the head did not train");

        // Unfreeze the base model, recompile with a very low learning rate, train end-to-end.
        baseModel.Trainable = true;
        model.Compile(new Adam(1e-5), new BinaryCrossentropy(fromLogits: true), [new BinaryAccuracy()]);
        var bns = baseModel.Layers.OfType<BatchNormalization>().ToArray();
        Tensor[] statistics = bns.SelectMany(bn => new[] { bn.MovingMean!.Value.clone(), bn.MovingVariance!.Value.clone() }).ToArray();
        Tensor kernel = ((Conv2D)baseModel.Layers[1]).GetWeights()[0];
        model.Fit(data, labels, batchSize: 8, epochs: 1, verbose: 0);
        Assert.False(TensorAssert.BitEqual(kernel, ((Conv2D)baseModel.Layers[1]).GetWeights()[0]), "the unfrozen base did not train");
        Tensor[] after = bns.SelectMany(bn => new[] { bn.MovingMean!.Value, bn.MovingVariance!.Value }).ToArray();
        for (int i = 0; i < statistics.Length; i++) TensorAssert.Equal(statistics[i], after[i]);   // BatchNormalization in inference mode
    }
}
