using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class MultiplyTests
{
    [Fact]
    public void MultipliesWithBroadcasting() =>
        LayerTestHelper.Check(new Multiply(), ReferenceData.Case("multiply_broadcast")).Dispose();

    [Fact]
    public void BroadcastShapesAreExactWhereKnown()
    {
        var m = new Multiply();
        Assert.Equal(new long[] { 8, 3, 4, 5 }, m.ComputeOutputShape([new long[] { -1, 3, 1, 5 }, new long[] { -1, 1, 4, 1 }, new long[] { 8, 3, 4, 5 }]).Single());
        Assert.Equal(new long[] { 8, 3, -1, 5 }, m.ComputeOutputShape([new long[] { 8, 3, -1, 5 }, new long[] { -1, 1, 1, 5 }]).Single());
        Assert.Equal(new long[] { -1, 3, 4, 5 }, m.ComputeOutputShape([new long[] { -1, 3, -1, 5 }, new long[] { -1, 1, 4, 1 }]).Single());
    }
}
