using Tanuki.Layers;

namespace Tanuki.Tests.Layers.Merging;

public class DivideTests
{
    [Fact]
    public void DividesWithBroadcasting()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new Divide();
        Tensor y = layer.Call([torch.tensor(new float[] { 2, 4, 6, 8 }).reshape(2, 2), torch.tensor(new float[] { 2, 4 }).reshape(1, 2)])[0];
        TensorAssert.Close(new float[] { 1, 1, 3, 2 }, y, atol: 0);
        Assert.Equal(new long[] { -1, 2 }, layer.ComputeOutputShape([new long[] { -1, 2 }, new long[] { 1, 2 }])[0]);
    }

    [Fact]
    public void WrongInputsAreExplained()
    {
        var layer = new Divide(name: "div");
        Assert.Contains("exactly 2 inputs", Assert.Throws<ArgumentException>(() => layer.ComputeOutputShape([new long[] { -1, 2 }])).Message);
        Assert.Contains("cannot be broadcast", Assert.Throws<ArgumentException>(() => layer.ComputeOutputShape([new long[] { -1, 2 }, new long[] { -1, 3 }])).Message);
    }
}
