using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class MatMulTests
{
    [Fact]
    public void MultipliesTheLastTwoAxesSampleBySample() =>
        LayerTestHelper.Check(new MatMul(), ReferenceData.Case("matmul")).Dispose();

    [Fact]
    public void BroadcastsTheAxesBetweenBatchAndMatrices() =>
        LayerTestHelper.Check(new MatMul(), ReferenceData.Case("matmul_broadcast")).Dispose();

    [Fact]
    public void MismatchedInnerSizesAndRanksAreExplained()
    {
        var e = Assert.Throws<ArgumentException>(() => new MatMul(name: "scores").Call(new Input(3, 4, 5), new Input(3, 4, 5)));
        Assert.Contains("scores", e.Message);
        Assert.Contains("last axis (5)", e.Message);
        Assert.Contains("same rank", Assert.Throws<ArgumentException>(() => new MatMul().Call(new Input(4, 5), new Input(3, 5, 2))).Message);
    }
}
