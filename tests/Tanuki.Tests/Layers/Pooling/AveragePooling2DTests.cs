using Tanuki.Layers;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Tests.Layers;

public class AveragePooling2DTests
{
    public static TheoryData<string> Cases => new()
    {
        "avgpool_valid", "avgpool_same_k3_s2", "avgpool_same_k3_s2_cip", "avgpool_ceil", "avgpool_explicit_sym_ceil_cip",
        "avgpool_explicit_sym_ceil_nocip", "avgpool_explicit_asym_ceil_cip", "avgpool_explicit_asym_nocip",
        "avgpool_explicit_overhang_cip", "avgpool_explicit_overhang_nocip",
    };

    private static AveragePooling2D Create(string name) => name switch
    {
        "avgpool_valid" => new AveragePooling2D(),
        "avgpool_same_k3_s2" => new AveragePooling2D(3, 2, "same"),
        "avgpool_same_k3_s2_cip" => new AveragePooling2D(3, 2, "same", countIncludePad: true),
        "avgpool_ceil" => new AveragePooling2D(3, 2, ceilMode: true),
        "avgpool_explicit_sym_ceil_cip" => new AveragePooling2D(3, 2, explicitPadding: (1, 1, 1, 1), ceilMode: true, countIncludePad: true),
        "avgpool_explicit_sym_ceil_nocip" => new AveragePooling2D(3, 2, explicitPadding: (1, 1, 1, 1), ceilMode: true),
        "avgpool_explicit_asym_ceil_cip" => new AveragePooling2D((3, 3), (2, 2), explicitPadding: (0, 2, 1, 0), ceilMode: true, countIncludePad: true),
        "avgpool_explicit_asym_nocip" => new AveragePooling2D((3, 3), (2, 2), explicitPadding: (0, 2, 1, 0)),
        "avgpool_explicit_overhang_cip" => new AveragePooling2D(3, 2, explicitPadding: (0, 1, 1, 1), ceilMode: true, countIncludePad: true),
        "avgpool_explicit_overhang_nocip" => new AveragePooling2D(3, 2, explicitPadding: (0, 1, 1, 1), ceilMode: true),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheLoopReference(string name) => LayerTestHelper.Check(Create(name), ReferenceData.Case(name)).Dispose();

    [Fact]
    public void SamePaddingExcludesPadsFromTheAverageLikeKeras()
    {
        using var scope = torch.NewDisposeScope();
        Tensor ones = torch.ones(1, 1, 5, 5);
        TensorAssert.Close(torch.ones(1, 1, 3, 3), new AveragePooling2D(3, 2, "same").Call(ones), 1e-6);
        // Counting the pads, border windows average in zeros: the top-left window covers 2×2 of 3×3 inputs.
        Tensor counted = new AveragePooling2D(3, 2, "same", countIncludePad: true).Call(ones);
        Assert.Equal(4.0 / 9, counted[0, 0, 0, 0].item<float>(), 1e-6);
    }

    [Fact]
    public void OutputsMatchLibtorchForEverySymmetricPaddingAndCeilMode()
    {
        using var scope = torch.NewDisposeScope();
        foreach (int n in new[] { 2, 3, 5, 8 })
        foreach (int k in new[] { 2, 3 })
        foreach (int s in new[] { 1, 2, 3 })
        foreach (bool ceil in new[] { false, true })
        foreach (bool cip in new[] { false, true })
        for (int p = 0; p <= k / 2; p++)
        {
            if (n + 2 * p < k) continue;
            Tensor x = torch.randn(1, 2, n, n + 1);
            Tensor expected = F.avg_pool2d(x, [k, k], [s, s], [p, p], ceil, cip);
            var layer = new AveragePooling2D(k, s, explicitPadding: (p, p, p, p), ceilMode: ceil, countIncludePad: cip);
            TensorAssert.Close(expected, layer.Call(x), 1e-6);
            Assert.Equal(expected.shape[2..], layer.ComputeOutputShape(new long[] { -1, 2, n, n + 1 })[2..]);
        }
    }

    [Fact]
    public void CountIncludePadIsInTheConfigAndDefaultsToExcluding()
    {
        Assert.False(new AveragePooling2D().CountIncludePad);
        Assert.Equal(true, new AveragePooling2D(countIncludePad: true).GetConfig()["count_include_pad"]);
        Assert.Contains("poolSize=(2, 0)", Assert.Throws<ArgumentOutOfRangeException>(() => new AveragePooling2D((2, 0))).Message);
    }
}
