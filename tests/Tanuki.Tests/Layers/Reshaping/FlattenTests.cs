using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class FlattenTests
{
    [Fact]
    public void FlattensEachSample() => LayerTestHelper.Check(new Flatten(), ReferenceData.Case("flatten")).Dispose();
}
