using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class ActivationTests
{
    [Theory]
    [InlineData("sigmoid")]
    [InlineData("softmax")]
    [InlineData("silu")]
    public void AppliesTheNamedFunction(string name) =>
        LayerTestHelper.Check(new Activation(name), ReferenceData.Case($"activation_{name}")).Dispose();
}
