using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class ReshapeTests
{
    [Fact]
    public void InfersTheMinusOneDimension() =>
        LayerTestHelper.Check(new Reshape([6, -1]), ReferenceData.Case("reshape_infer")).Dispose();

    [Fact]
    public void ReshapesToAFullyGivenShape() =>
        LayerTestHelper.Check(new Reshape([72]), ReferenceData.Case("reshape_flat")).Dispose();

    [Fact]
    public void KeepsTheMinusOneWhenTheInputSizeIsUnknown()
    {
        Assert.Equal(new long[] { -1, 6, -1 }, new Reshape([6, -1]).ComputeOutputShape(new long[] { -1, 3, -1, 6 }));
        Assert.Equal(new long[] { -1, 2, 9 }, new Reshape([2, 9]).ComputeOutputShape(new long[] { -1, -1 }));
    }

    [Fact]
    public void IncompatibleSizesNameTheLayerAndBothShapes()
    {
        var layer = new Reshape([5, -1], name: "reshape_bad");
        var e = Assert.Throws<ArgumentException>(() => layer.Call(new Input(3, 4)));
        Assert.Contains("reshape_bad", e.Message);
        Assert.Contains("(None, 3, 4)", e.Message);
        Assert.Contains("(5, -1)", e.Message);
        var eager = Assert.Throws<ArgumentException>(() => new Reshape([7], name: "reshape_bad_eager").Call(torch.zeros(2, 3, 4)));
        Assert.Contains("reshape_bad_eager", eager.Message);
        Assert.Contains("(2, 3, 4)", eager.Message);
    }

    [Fact]
    public void RejectsBadTargetShapes()
    {
        Assert.Contains("targetShape=(-1, -1)", Assert.Throws<ArgumentException>(() => new Reshape([-1, -1])).Message);
        Assert.Contains("targetShape=(0, 3)", Assert.Throws<ArgumentException>(() => new Reshape([0, 3])).Message);
    }
}
