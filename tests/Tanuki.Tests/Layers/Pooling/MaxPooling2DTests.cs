using Tanuki.Layers;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Tests.Layers;

public class MaxPooling2DTests
{
    public static TheoryData<string> Cases => new()
    {
        "maxpool_valid", "maxpool_same_k3_s2", "maxpool_same_k2", "maxpool_ceil", "maxpool_explicit_asym_ceil",
        "maxpool_explicit_sym_ceil", "maxpool_rect_stride", "maxpool_explicit_overhang",
    };

    private static MaxPooling2D Create(string name) => name switch
    {
        "maxpool_valid" => new MaxPooling2D(),
        "maxpool_same_k3_s2" => new MaxPooling2D(3, strides: 2, padding: "same"),
        "maxpool_same_k2" => new MaxPooling2D(2, padding: "same"),
        "maxpool_ceil" => new MaxPooling2D(3, strides: 2, ceilMode: true),
        "maxpool_explicit_asym_ceil" => new MaxPooling2D((3, 3), (2, 2), explicitPadding: (0, 1, 1, 0), ceilMode: true),
        "maxpool_explicit_sym_ceil" => new MaxPooling2D(3, 2, explicitPadding: (1, 1, 1, 1), ceilMode: true),
        "maxpool_rect_stride" => new MaxPooling2D((2, 3), strides: (1, 2)),
        "maxpool_explicit_overhang" => new MaxPooling2D(3, 2, explicitPadding: (0, 1, 1, 1), ceilMode: true),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheLoopReference(string name) => LayerTestHelper.Check(Create(name), ReferenceData.Case(name)).Dispose();

    [Fact]
    public void OutputSizesMatchLibtorchIncludingCeilMode()
    {
        using var scope = torch.NewDisposeScope();
        foreach (int n in new[] { 1, 2, 3, 4, 5, 7, 8 })
        foreach (int k in new[] { 1, 2, 3 })
        foreach (int s in new[] { 1, 2, 3 })
        foreach (bool ceil in new[] { false, true })
        for (int p = 0; p <= k / 2; p++)
        {
            if (n + 2 * p < k) continue;
            var layer = new MaxPooling2D(k, s, explicitPadding: (p, p, p, p), ceilMode: ceil);
            Tensor x = torch.randn(1, 2, n, n);
            long[] torchShape = F.max_pool2d(x, [k, k], [s, s], [p, p], [1, 1], ceil).shape;
            Assert.Equal(torchShape, layer.Call(x).shape);
            Assert.Equal(torchShape[2..], layer.ComputeOutputShape(new long[] { -1, 2, n, n })[2..]);
            // The same pads made asymmetric take the general path: its shape must agree with ComputeOutputShape.
            var asym = new MaxPooling2D(k, s, explicitPadding: (p, p + 1, p + 1, p), ceilMode: ceil);
            Assert.Equal(asym.ComputeOutputShape(x.shape), asym.Call(x).shape);
        }
    }

    [Fact]
    public void StridesDefaultToThePoolSize()
    {
        Assert.Equal((3, 3), new MaxPooling2D(3).Strides);
        Assert.Equal((2, 4), new MaxPooling2D((2, 4)).Strides);
        Assert.Equal((2, 2), new MaxPooling2D().PoolSize);
    }

    [Fact]
    public void BadArgumentsAndInputsAreRejected()
    {
        Assert.Contains("poolSize=(0, 0)", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPooling2D(0)).Message);
        Assert.Contains("strides=(-1, -1)", Assert.Throws<ArgumentOutOfRangeException>(() => new MaxPooling2D(2, -1)).Message);
        Assert.Contains("padding=\"Full\"", Assert.Throws<ArgumentException>(() => new MaxPooling2D(padding: "Full")).Message);
        Assert.Contains("ceilMode", Assert.Throws<ArgumentException>(() => new MaxPooling2D(3, 2, "same", ceilMode: true)).Message);
        var rank = Assert.Throws<ArgumentException>(() => new MaxPooling2D(name: "pool_rank").Call(torch.zeros(2, 8, 8)));
        Assert.Contains("pool_rank", rank.Message);
        Assert.Contains("(2, 8, 8)", rank.Message);
        var small = Assert.Throws<ArgumentException>(() => new MaxPooling2D(4, name: "pool_small").Call(torch.zeros(1, 1, 3, 8)));
        Assert.Contains("pool_small", small.Message);
        Assert.Contains("(1, 1, 3, 8)", small.Message);
        var symbolic = Assert.Throws<ArgumentException>(() => new MaxPooling2D(4).Call(new Input(1, 3, 8)));
        Assert.Contains("(None, 1, 3, 8)", symbolic.Message);
    }
}
