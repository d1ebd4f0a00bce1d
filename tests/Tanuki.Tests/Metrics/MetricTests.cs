using Tanuki.Metrics;

namespace Tanuki.Tests.Metrics;

/// <summary>Metrics against hand-computed values, accumulated over two batches.</summary>
public class MetricTests
{
    private static readonly Tensor Probs1 = torch.tensor(new float[,] { { 0.1f, 0.7f, 0.2f }, { 0.5f, 0.3f, 0.2f } });
    private static readonly Tensor Probs2 = torch.tensor(new float[,] { { 0.2f, 0.3f, 0.5f }, { 0.6f, 0.3f, 0.1f }, { 0.3f, 0.4f, 0.3f } });

    [Fact]
    public void SparseCategoricalAccuracyAccumulatesOverBatches()
    {
        var m = new SparseCategoricalAccuracy();
        m.UpdateState(torch.tensor(new long[] { 1, 2 }), Probs1);        // argmax 1, 0: one right
        m.UpdateState(torch.tensor(new long[] { 2, 0, 0 }), Probs2);     // argmax 2, 0, 1: two right
        Assert.Equal(3.0 / 5, m.Result(), 10);
        Assert.Equal("sparse_categorical_accuracy", m.Name);
        m.ResetState();
        Assert.Equal(0, m.Result());
    }

    [Fact]
    public void CategoricalAccuracyUsesTheArgMaxOfOneHotTargets()
    {
        var m = new CategoricalAccuracy();
        m.UpdateState(torch.tensor(new float[,] { { 0, 1, 0 }, { 0, 0, 1 } }), Probs1);
        Assert.Equal(0.5, m.Result(), 10);
    }

    [Fact]
    public void BinaryAccuracyThresholdsPredictions()
    {
        var m = new BinaryAccuracy();
        m.UpdateState(torch.tensor(new float[] { 1, 0, 1, 0 }).reshape(4, 1), torch.tensor(new float[] { 0.9f, 0.4f, 0.2f, 0.6f }).reshape(4, 1));
        Assert.Equal(0.5, m.Result(), 10);
        var logits = new BinaryAccuracy(threshold: 0);
        logits.UpdateState(torch.tensor(new float[] { 1, 0 }), torch.tensor(new float[] { 2.0f, -1.0f }));
        Assert.Equal(1.0, logits.Result(), 10);
    }

    [Fact]
    public void TopKCountsTheTargetAmongTheKHighest()
    {
        var m = new TopKCategoricalAccuracy(k: 2);
        m.UpdateState(torch.tensor(new float[,] { { 0, 0, 1 }, { 0, 0, 1 }, { 1, 0, 0 } }), Probs2);   // top-2: {2,1} {0,1} {1,0|2}
        Assert.Equal(2.0 / 3, m.Result(), 10);
    }

    [Fact]
    public void AccuracyByNameFollowsTheShapesAsKerasDoes()
    {
        Metric sparse = Metric.Get("accuracy");
        sparse.UpdateState(torch.tensor(new long[] { 1, 2 }), Probs1);
        Assert.Equal(0.5, sparse.Result(), 10);
        Assert.Equal("accuracy", sparse.Name);
        Metric oneHot = "accuracy";
        oneHot.UpdateState(torch.tensor(new float[,] { { 0, 1, 0 }, { 1, 0, 0 } }), Probs1);
        Assert.Equal(1.0, oneHot.Result(), 10);
        Metric binary = "accuracy";
        binary.UpdateState(torch.tensor(new float[] { 1, 0 }).reshape(2, 1), torch.tensor(new float[] { 0.8f, 0.9f }).reshape(2, 1));
        Assert.Equal(0.5, binary.Result(), 10);
        Assert.Throws<ArgumentException>(() => Metric.Get("f7_score"));
    }

    [Fact]
    public void ExactAccuracyComparesValues()
    {
        var m = new Accuracy();
        m.UpdateState(torch.tensor(new float[] { 1, 2, 3, 4 }), torch.tensor(new float[] { 1, 2, 0, 4 }));
        Assert.Equal(0.75, m.Result(), 10);
    }
}
