using Tanuki.Layers;
using CoreReference = Tanuki.Tests.Reference.ReferenceData;

namespace Tanuki.Tests.Layers;

public class BatchNormalizationReferenceTests
{
    private static readonly CoreReference Ref = CoreReference.Load("core.json");

    private static BatchNormalization Loaded(double momentum)
    {
        var bn = new BatchNormalization(momentum: momentum, epsilon: 1e-3);
        bn.Build(new long[] { -1, 3, 4, 4 });
        bn.SetWeights([Ref.Tensor("bn.gamma"), Ref.Tensor("bn.beta"), Ref.Tensor("bn.moving_mean"), Ref.Tensor("bn.moving_variance")]);
        return bn;
    }

    [Fact]
    public void InferenceMatchesPyTorchEvalBatchNorm()
    {
        var bn = Loaded(0.9);
        using Tensor y = bn.Call(Ref.Tensor("bn.x"), training: false);
        TensorAssert.Close(Ref.Tensor("bn.inference"), y, atol: 1e-5);
    }

    [Fact]
    public void TrainingNormalizesWithBatchStatisticsAndMovesTheStatisticsTheKerasWay()
    {
        var bn = Loaded(0.9);
        using Tensor y = bn.Call(Ref.Tensor("bn.x"), training: true);
        TensorAssert.Close(Ref.Tensor("bn.training"), y, atol: 1e-5);
        TensorAssert.Close(Ref.Tensor("bn.moving_mean_after"), bn.MovingMean!.Value, atol: 1e-5);
        TensorAssert.Close(Ref.Tensor("bn.moving_variance_after"), bn.MovingVariance!.Value, atol: 1e-5);  // biased variance, as Keras
    }

    [Fact]
    public void WorksOnFeatureVectors()
    {
        var bn = new BatchNormalization();
        bn.Build(new long[] { -1, 3 });
        bn.SetWeights([Ref.Tensor("bn.gamma"), Ref.Tensor("bn.beta"), torch.zeros(3), torch.ones(3)]);
        using Tensor y = bn.Call(Ref.Tensor("bn2d.x"), training: true);
        TensorAssert.Close(Ref.Tensor("bn2d.training"), y, atol: 1e-5);
    }

    /// <summary>Keras's test_trainable_behavior, with its numbers.</summary>
    [Fact]
    public void AFrozenLayerRunsInInferenceModeEvenWhenTrainingIsTrue()
    {
        TanukiInfo.SetRandomSeed(3);
        var layer = new BatchNormalization(momentum: 0.8, epsilon: 1e-7);
        layer.Build(new long[] { 1, 3, 4, 4 });
        layer.Trainable = false;
        Assert.Equal(4, layer.Weights.Count);
        Assert.Empty(layer.TrainableWeights);
        Assert.Equal(4, layer.NonTrainableWeights.Count);
        Tensor x = torch.normal(5.0, 10.0, new long[] { 200, 3, 4, 4 });
        Tensor[] before = layer.GetWeights();
        using (Tensor out0 = layer.Call(x, training: true))
            TensorAssert.Close(x, out0, atol: 1e-5, rtol: 1e-6);      // moving mean 0, variance 1: the identity
        Tensor[] after = layer.GetWeights();
        for (int i = 0; i < 4; i++) TensorAssert.Equal(before[i], after[i]);

        layer.Trainable = true;
        Assert.Equal(2, layer.TrainableWeights.Count);
        Assert.Equal(2, layer.NonTrainableWeights.Count);
        Tensor o = x;
        for (int i = 0; i < 10; i++) o = layer.Call(x, training: true);
        Tensor normalized = (o - layer.Beta!.Value.detach().reshape(1, 3, 1, 1)) / layer.Gamma!.Value.detach().reshape(1, 3, 1, 1);
        TensorAssert.Close(torch.zeros(3), normalized.mean(new long[] { 0, 2, 3 }), atol: 1e-3);
        TensorAssert.Close(torch.ones(3), normalized.std(new long[] { 0, 2, 3 }, unbiased: false), atol: 1e-3);
    }

    /// <summary>Keras's test_correctness: with momentum 0, inference after a training call equals the training output.</summary>
    [Fact]
    public void WithMomentumZeroInferenceAfterTrainingMatchesTraining()
    {
        TanukiInfo.SetRandomSeed(4);
        var layer = new BatchNormalization(momentum: 0);
        Tensor x = torch.normal(5.0, 10.0, new long[] { 200, 3, 4, 4 });
        Tensor inference0 = layer.Call(x, training: false);
        Tensor training0 = layer.Call(x, training: true);
        Assert.True(TensorAssert.MaxAbsDiff(inference0, training0) > 1);
        Tensor training = layer.Call(x, training: true);
        Tensor inference = layer.Call(x, training: false);
        TensorAssert.Close(training, inference, atol: 1e-4);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(momentum: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNormalization(epsilon: 0));
        var bn = new BatchNormalization(name: "bn_x");
        bn.Build(new long[] { -1, 3, 8, 8 });
        var e = Assert.Throws<ArgumentException>(() => bn.Call(torch.ones(2, 4, 8, 8)));
        Assert.Contains("bn_x", e.Message);
    }
}
