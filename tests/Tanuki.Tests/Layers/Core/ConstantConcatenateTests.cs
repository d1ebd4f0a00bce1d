using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class ConstantConcatenateTests
{
    [Fact]
    public void PutsTheConstantBeforeEverySampleAsViTsClassToken() =>
        LayerTestHelper.Check(new ConstantConcatenate(1, [1, 6], constantFirst: true), ReferenceData.Case("constant_concatenate_first"), nonTrainable: 1).Dispose();

    [Fact]
    public void PutsTheConstantAfterEverySample() =>
        LayerTestHelper.Check(new ConstantConcatenate(-1, [5, 2]), ReferenceData.Case("constant_concatenate_last"), nonTrainable: 1).Dispose();

    [Fact]
    public void ShapesThatDoNotFitAreExplained()
    {
        Assert.Contains("batch", Assert.Throws<ArgumentException>(() => new ConstantConcatenate(0, [1, 6])).Message);
        var e = Assert.Throws<ArgumentException>(() => new ConstantConcatenate(1, [1, 6], name: "token").Call(new Input(4, 5)));
        Assert.Contains("token", e.Message);
        Assert.Contains("axis 2 has size 5", e.Message);
    }
}
