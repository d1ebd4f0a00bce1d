using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class DenseTests
{
    [Fact]
    public void ComputesInputsTimesKernelPlusBias() =>
        LayerTestHelper.Check(new Dense(3), ReferenceData.Case("dense"), trainable: 2).Dispose();

    [Fact]
    public void WorksOnTheLastAxisOfRank3InputsWithAnActivation() =>
        LayerTestHelper.Check(new Dense(3, activation: "relu"), ReferenceData.Case("dense_3d_relu"), trainable: 2).Dispose();
}
