using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class DivideTests
{
    [Fact]
    public void DividesWithBroadcasting()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new Divide();
        Tensor y = layer.Call([torch.tensor(new float[] { 2, 4, 6, 8 }).reshape(2, 2, 1), torch.tensor(new float[] { 2, 4 }).reshape(2, 1, 1)])[0];
        TensorAssert.Close(new float[] { 1, 2, 1.5f, 2 }, y, atol: 0);
        Assert.Equal(new long[] { -1, 2, 3 }, layer.ComputeOutputShape([new long[] { -1, 2, 3 }, new long[] { -1, 1, 3 }])[0]);
        LayerTestHelper.Check(new Divide(), [[2, 3, 4], [2, 1, 4]]).Dispose();
    }

    [Fact]
    public void WrongInputsAreExplained()
    {
        var layer = new Divide(name: "div");
        Assert.Contains("exactly 2 inputs", Assert.Throws<ArgumentException>(() => layer.ComputeOutputShape([new long[] { -1, 2 }])).Message);
        Assert.Contains("incompatible shapes", Assert.Throws<ArgumentException>(() => layer.ComputeOutputShape([new long[] { -1, 2 }, new long[] { -1, 3 }])).Message);
    }
}
