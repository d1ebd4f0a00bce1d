using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class AddTests
{
    [Theory]
    [InlineData("add_two")]
    [InlineData("add_three")]
    [InlineData("add_broadcast")]
    [InlineData("add_rank")]
    public void MatchesNumPyWithKerasBroadcasting(string name) =>
        LayerTestHelper.Check(new Add(), ReferenceData.Case(name)).Dispose();

    [Fact]
    public void MismatchedShapesNameTheLayerAndEveryShape()
    {
        var add = new Add(name: "add_mismatch");
        var e = Assert.Throws<ArgumentException>(() => add.Call([new Input(3, 4, 4), new Input(3, 5, 5)]));
        Assert.Contains("add_mismatch", e.Message);
        Assert.Contains("(None, 3, 4, 4)", e.Message);
        Assert.Contains("(None, 3, 5, 5)", e.Message);
        var eager = Assert.Throws<ArgumentException>(() => new Add(name: "add_eager").Call([torch.zeros(2, 3), torch.zeros(2, 4)]));
        Assert.Contains("add_eager", eager.Message);
        Assert.Contains("[(2, 3), (2, 4)]", eager.Message);
    }

    [Fact]
    public void DifferentBatchSizesAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new Add(name: "add_batches").Call([torch.zeros(2, 3), torch.zeros(1, 3)]));
        Assert.Contains("different batch sizes", e.Message);
        Assert.Contains("[(2, 3), (1, 3)]", e.Message);
    }

    [Fact]
    public void WritesAResidualConnectionInAFunctionalModel()
    {
        using var scope = torch.NewDisposeScope();
        var inputs = new Input(3, 8, 8);
        var conv = new Conv2D(3, 3, padding: "same");
        SymbolicTensor outputs = new Add().Call([inputs, conv.Call(inputs)])[0];
        var model = new Model(inputs, outputs);
        Tensor x = torch.randn(2, 3, 8, 8);
        TensorAssert.Close(x + conv.Call(x), model.Call(x), 1e-6);
    }
}
