using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class BatchNormalizationTests
{
    [Fact]
    public void InferenceUsesTheMovingStatistics() =>
        LayerTestHelper.Check(new BatchNormalization(), ReferenceData.Case("batchnorm_inference"), trainable: 2, nonTrainable: 2).Dispose();

    [Fact]
    public void InferenceOnFeatures() =>
        LayerTestHelper.Check(new BatchNormalization(), ReferenceData.Case("batchnorm_features"), trainable: 2, nonTrainable: 2).Dispose();

    [Fact]
    public void TrainingUsesBatchStatisticsAndMovesTheMovingOnesTheKerasWay()
    {
        using var scope = torch.NewDisposeScope();
        ReferenceCase c = ReferenceData.Case("batchnorm_training");
        var layer = new BatchNormalization();
        layer.Build(new long[] { -1, 3, 2, 5 });
        foreach (Variable w in layer.Weights) w.Assign(c[w.Name]);
        TensorAssert.Close(c.Expected, layer.Call(c["x"], training: true), 1e-5, 1e-5);
        TensorAssert.Close(c["moving_mean_after"], layer.MovingMean!.Value, 1e-6, 1e-6);
        TensorAssert.Close(c["moving_variance_after"], layer.MovingVariance!.Value, 1e-6, 1e-6);
    }

    [Fact]
    public void AFrozenLayerRunsInInferenceModeEvenWhenTraining()
    {
        using var scope = torch.NewDisposeScope();
        ReferenceCase c = ReferenceData.Case("batchnorm_inference");
        var layer = new BatchNormalization();
        layer.Build(new long[] { -1, 3, 2, 5 });
        foreach (Variable w in layer.Weights) w.Assign(c[w.Name]);
        layer.Trainable = false;
        TensorAssert.Close(c.Expected, layer.Call(c["x"], training: true), 1e-5, 1e-5);
        TensorAssert.Close(c["moving_mean"], layer.MovingMean!.Value, 0);
    }
}
