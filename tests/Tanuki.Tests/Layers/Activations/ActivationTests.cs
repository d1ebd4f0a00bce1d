using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class ActivationTests
{
    [Theory]
    [InlineData("sigmoid")]
    [InlineData("softmax")]
    [InlineData("silu")]
    [InlineData("gelu")]
    [InlineData("hard_sigmoid")]
    [InlineData("hard_silu")]
    public void AppliesTheNamedFunction(string name) =>
        LayerTestHelper.Check(new Activation(name), ReferenceData.Case($"activation_{name}")).Dispose();

    [Fact]
    public void HardSwishIsHardSilu() => Assert.Same(Activations.HardSilu, Activations.Get("hard_swish"));
}
