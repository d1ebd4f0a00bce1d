using Tanuki.Layers;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Tests.Layers;

public class Conv2DTests
{
    public static TheoryData<string> Cases => new()
    {
        "conv2d_valid", "conv2d_same", "conv2d_same_stride2", "conv2d_same_k43_s23", "conv2d_same_dilation2",
        "conv2d_same_dilation2_stride2", "conv2d_valid_dilation23", "conv2d_explicit", "conv2d_nobias_relu", "conv2d_groups",
    };

    private static Conv2D Create(string name) => name switch
    {
        "conv2d_valid" => new Conv2D(4, 3),
        "conv2d_same" => new Conv2D(4, 3, padding: "same"),
        "conv2d_same_stride2" => new Conv2D(4, 3, strides: 2, padding: "same"),
        "conv2d_same_k43_s23" => new Conv2D(4, (4, 3), strides: (2, 3), padding: "SAME"),
        "conv2d_same_dilation2" => new Conv2D(4, 3, padding: "same", dilationRate: 2),
        "conv2d_same_dilation2_stride2" => new Conv2D(4, 3, strides: 2, padding: "same", dilationRate: 2),
        "conv2d_valid_dilation23" => new Conv2D(4, (3, 2), dilationRate: (2, 3)),
        "conv2d_explicit" => new Conv2D(4, (3, 3), strides: (2, 2), explicitPadding: (1, 2, 0, 3)),
        "conv2d_nobias_relu" => new Conv2D(4, (2, 3), strides: (1, 2), useBias: false, activation: "relu"),
        "conv2d_groups" => new Conv2D(6, 3, padding: "same", groups: 2),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheTorchReference(string name) =>
        LayerTestHelper.Check(Create(name), ReferenceData.Case(name), trainable: name == "conv2d_nobias_relu" ? 1 : 2).Dispose();

    [Fact]
    public void KernelIsOihwWithKerasGlorotFansAndZeroBias()
    {
        var layer = new Conv2D(8, (3, 5), groups: 2);
        layer.Build(new long[] { -1, 4, 16, 16 });
        Assert.Equal(new long[] { 8, 2, 3, 5 }, layer.Kernel!.Shape);
        Assert.Equal(new long[] { 8 }, layer.Bias!.Shape);
        Assert.Equal(new[] { "kernel", "bias" }, layer.Weights.Select(w => w.Name));
        // glorot_uniform: limit sqrt(6 / (fan_in + fan_out)), fan_in = 2·3·5, fan_out = 8·3·5.
        double limit = Math.Sqrt(6.0 / (2 * 15 + 8 * 15));
        double max = layer.Kernel.Value.abs().max().item<float>();
        Assert.InRange(max, 0.8 * limit, limit);
        Assert.Equal(0f, layer.Bias.Value.abs().max().item<float>());
    }

    [Fact]
    public void ExposesEveryArgument()
    {
        var a = new Conv2D(16, 3, strides: 2, padding: "same", dilationRate: 1, groups: 4, useBias: false, activation: "relu",
                           kernelInitializer: "he_normal", biasInitializer: "ones", name: "stem");
        Assert.Equal((16, (3, 3), (2, 2), "same", (1, 1), 4, false), (a.Filters, a.KernelSize, a.Strides, a.Padding, a.DilationRate, a.Groups, a.UseBias));
        Assert.Equal(("relu", "he_normal", "ones", "stem"), (a.Activation.Name, a.KernelInitializer.Name, a.BiasInitializer.Name, a.Name));
        Assert.Null(a.ExplicitPadding);
        var b = new Conv2D(2, (1, 7), explicitPadding: (0, 0, 3, 3));
        Assert.Equal((0, 0, 3, 3), b.ExplicitPadding);
        Assert.Equal((1, 1), b.Strides);
        Assert.Equal("valid", b.Padding);
    }

    [Fact]
    public void SameAndValidOutputSizesMatchKerasArithmeticAndTheForwardPass()
    {
        // Keras: "same" gives ceil(n / s); "valid" gives floor((n - (k - 1)·d - 1) / s) + 1.
        using var scope = torch.NewDisposeScope();
        foreach (int n in new[] { 1, 2, 5, 6, 7 })
        foreach (int k in new[] { 1, 2, 3, 4 })
        foreach (int s in new[] { 1, 2, 3 })
        foreach (int d in new[] { 1, 2 })
        {
            var same = new Conv2D(1, k, strides: s, padding: "same", dilationRate: d);
            long expected = (n + s - 1) / s;
            Assert.Equal(new long[] { 1, 1, expected, expected }, same.Call(torch.ones(1, 1, n, n)).shape);
            Assert.Equal(new long[] { -1, 1, expected, expected }, same.ComputeOutputShape(new long[] { -1, 1, n, n }));
            long extent = (k - 1) * d + 1;
            if (n < extent) continue;
            var valid = new Conv2D(1, k, strides: s, dilationRate: d);
            long v = (n - extent) / s + 1;
            Assert.Equal(new long[] { 1, 1, v, v }, valid.Call(torch.ones(1, 1, n, n)).shape);
            Assert.Equal(new long[] { -1, 1, v, v }, valid.ComputeOutputShape(new long[] { -1, 1, n, n }));
        }
    }

    [Fact]
    public void SameWithStrideTwoPadsTheExtraPixelAtTheBottomRightAsTensorFlow()
    {
        // 1-channel all-ones kernel of size 2 on a 1×1×3×3 ramp: TF pads total 1 → (0 before, 1 after).
        using var scope = torch.NewDisposeScope();
        var layer = new Conv2D(1, 2, strides: 2, padding: "same", useBias: false, kernelInitializer: "ones");
        Tensor x = torch.arange(9, dtype: ScalarType.Float32).reshape(1, 1, 3, 3);
        Tensor y = layer.Call(x);
        // Windows start at rows/cols 0 and 2: [0+1+3+4, 2+5(+pad)], [6+7(+pad), 8(+pads)].
        TensorAssert.Close(new float[] { 8, 7, 13, 8 }, y, 0);
    }

    [Fact]
    public void WrongChannelCountOnABuiltLayerNamesTheLayerAndShapes()
    {
        var layer = new Conv2D(4, 3, name: "conv_wrong_channels");
        layer.Build(new long[] { -1, 3, 8, 8 });
        var e = Assert.Throws<ArgumentException>(() => layer.Call(torch.zeros(2, 4, 8, 8)));
        Assert.Contains("conv_wrong_channels", e.Message);
        Assert.Contains("(2, 4, 8, 8)", e.Message);
        Assert.Contains("value 3", e.Message);
        var s = Assert.Throws<ArgumentException>(() => layer.Call(new Input(5, 8, 8)));
        Assert.Contains("conv_wrong_channels", s.Message);
        Assert.Contains("(None, 5, 8, 8)", s.Message);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTheArgumentAndValue()
    {
        Assert.Contains("filters=0", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(0, 3)).Message);
        Assert.Contains("filters=-2", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(-2, 3)).Message);
        Assert.Contains("kernelSize=(0, 3)", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(1, (0, 3))).Message);
        Assert.Contains("strides=(1, 0)", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(1, (3, 3), strides: (1, 0))).Message);
        Assert.Contains("dilationRate=(0, 0)", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(1, 3, dilationRate: 0)).Message);
        Assert.Contains("groups=0", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(4, 3, groups: 0)).Message);
        var p = Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, padding: "full"));
        Assert.Contains("padding=\"full\"", p.Message);
        Assert.Contains("Conv2D", p.Message);
        Assert.Contains("filters=6, groups=4", Assert.Throws<ArgumentException>(() => new Conv2D(6, 3, groups: 4)).Message);
        Assert.Contains("(0, -1, 0, 0)", Assert.Throws<ArgumentOutOfRangeException>(() => new Conv2D(1, (3, 3), explicitPadding: (0, -1, 0, 0))).Message);
    }

    [Fact]
    public void BadInputShapesAreRejectedWithTheLayerAndShape()
    {
        var grouped = new Conv2D(4, 3, groups: 2, name: "conv_groups_bad");
        var g = Assert.Throws<ArgumentException>(() => grouped.Build(new long[] { -1, 3, 8, 8 }));
        Assert.Contains("conv_groups_bad", g.Message);
        Assert.Contains("divisible by groups (2)", g.Message);
        var rank = Assert.Throws<ArgumentException>(() => new Conv2D(4, 3, name: "conv_rank3").Build(new long[] { -1, 3, 8 }));
        Assert.Contains("conv_rank3", rank.Message);
        Assert.Contains("(None, 3, 8)", rank.Message);
        var channels = Assert.Throws<ArgumentException>(() => new Conv2D(4, 3).Build(new long[] { -1, -1, 8, 8 }));
        Assert.Contains("channel dimension", channels.Message);
        var small = new Conv2D(4, 3, name: "conv_too_small");
        var e = Assert.Throws<ArgumentException>(() => small.Call(torch.zeros(1, 3, 2, 5)));
        Assert.Contains("conv_too_small", e.Message);
        Assert.Contains("(1, 3, 2, 5)", e.Message);
    }

    [Fact]
    public void UnknownSpatialSizesStayUnknown()
    {
        var layer = new Conv2D(4, 3, strides: 2, padding: "same");
        Assert.Equal(new long[] { -1, 4, -1, 5 }, layer.ComputeOutputShape(new long[] { -1, 3, -1, 9 }));
        SymbolicTensor y = layer.Call(new Input(3, -1, -1));
        Assert.Equal(new long[] { -1, 4, -1, -1 }, y.Shape);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(new long[] { 2, 4, 6, 3 }, layer.Call(torch.zeros(2, 3, 11, 6)).shape);
    }
}
