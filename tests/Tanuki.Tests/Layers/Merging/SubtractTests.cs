using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class SubtractTests
{
    [Fact]
    public void SubtractsTheSecondFromTheFirstWithBroadcasting() =>
        LayerTestHelper.Check(new Subtract(), ReferenceData.Case("subtract_broadcast")).Dispose();

    [Fact]
    public void TakesExactlyTwoInputs()
    {
        var e = Assert.Throws<ArgumentException>(() => new Subtract(name: "sub3").Call([new Input(2), new Input(2), new Input(2)]));
        Assert.Contains("sub3", e.Message);
        Assert.Contains("exactly 2", e.Message);
        Assert.Throws<ArgumentException>(() => new Subtract().Call(torch.zeros(1, 2)));
    }
}
