using Tanuki.Losses;

namespace Tanuki.Tests.Losses;

/// <summary>
/// SparseCategoricalCrossentropy with per-pixel labels: classes on the last axis (or on axis 1 when asked), even when
/// another axis happens to have the class count's size; a hand-computed mean of −log p[label] is the reference.
/// </summary>
public class SparseCategoricalPerPixelTests
{
    private static double Reference(float[,,] p, long[,] labels)
    {
        double sum = 0;
        int n = labels.GetLength(0), w = labels.GetLength(1);
        for (int b = 0; b < n; b++)
            for (int i = 0; i < w; i++) sum -= Math.Log(p[b, i, labels[b, i]]);
        return sum / (n * w);
    }

    [Fact]
    public void ClassesAreOnTheLastAxisWhenAnotherAxisHasTheSameSize()
    {
        // (2, 3) labels, (2, 3, 3) probabilities: the middle axis is as long as the class axis.
        float[,,] p =
        {
            { { 0.7f, 0.2f, 0.1f }, { 0.1f, 0.8f, 0.1f }, { 0.3f, 0.3f, 0.4f } },
            { { 0.2f, 0.5f, 0.3f }, { 0.6f, 0.3f, 0.1f }, { 0.25f, 0.25f, 0.5f } },
        };
        long[,] labels = { { 0, 1, 2 }, { 2, 0, 1 } };
        Tensor yPred = torch.tensor(p.Cast<float>().ToArray(), [2, 3, 3]);
        Tensor yTrue = torch.tensor(labels.Cast<long>().ToArray(), [2, 3]);
        Assert.Equal(Reference(p, labels), new SparseCategoricalCrossentropy().Call(yTrue, yPred).item<float>(), 5);

        // The same numbers channels-first, (2, 3 classes, 3): axis 1.
        Assert.Equal(Reference(p, labels), new SparseCategoricalCrossentropy(axis: 1).Call(yTrue, yPred.transpose(1, 2)).item<float>(), 5);
    }

    [Fact]
    public void ChannelsFirstPredictionsWithoutTheAxisAreAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new SparseCategoricalCrossentropy(fromLogits: true).Call(torch.zeros([2, 4, 4], ScalarType.Int64), torch.zeros(2, 3, 4, 4)));
        Assert.Contains("Received: targets of shape (2, 4, 4)", e.Message);
        Assert.Contains("pass axis: 1", e.Message);
    }
}
