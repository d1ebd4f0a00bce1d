using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class DepthwiseConv2DTests
{
    public static TheoryData<string> Cases => new() { "depthwise_same", "depthwise_mult2_stride2", "depthwise_explicit_dilation" };

    private static DepthwiseConv2D Create(string name) => name switch
    {
        "depthwise_same" => new DepthwiseConv2D(3, padding: "same"),
        "depthwise_mult2_stride2" => new DepthwiseConv2D(3, strides: 2, padding: "same", depthMultiplier: 2),
        "depthwise_explicit_dilation" => new DepthwiseConv2D((3, 3), depthMultiplier: 2, dilationRate: (2, 2), useBias: false,
                                                             explicitPadding: (2, 1, 1, 2)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheChannelByChannelReference(string name) =>
        LayerTestHelper.Check(Create(name), ReferenceData.Case(name), trainable: name.Contains("explicit") ? 1 : 2).Dispose();

    [Fact]
    public void KernelIsOneFilterRowPerOutputChannel()
    {
        var layer = new DepthwiseConv2D((3, 5), depthMultiplier: 4);
        layer.Build(new long[] { -1, 6, 10, 10 });
        Assert.Equal(new long[] { 24, 1, 3, 5 }, layer.Kernel!.Shape);
        Assert.Equal(new long[] { 24 }, layer.Bias!.Shape);
        Assert.Equal(6, layer.InputChannels);
        Assert.Equal(new long[] { -1, 24, 8, 6 }, layer.ComputeOutputShape(new long[] { -1, 6, 10, 10 }));
        // Keras's fans for its (kh, kw, C, multiplier) kernel: in = 6·15, out = 4·15.
        double limit = Math.Sqrt(6.0 / (6 * 15 + 4 * 15));
        Assert.InRange(layer.Kernel.Value.abs().max().item<float>(), 0.8 * limit, limit);
    }

    [Fact]
    public void BadArgumentsAndInputsAreRejected()
    {
        Assert.Contains("depthMultiplier=0", Assert.Throws<ArgumentOutOfRangeException>(() => new DepthwiseConv2D(3, depthMultiplier: 0)).Message);
        Assert.Contains("padding=\"causal\"", Assert.Throws<ArgumentException>(() => new DepthwiseConv2D(3, padding: "causal")).Message);
        var layer = new DepthwiseConv2D(3, name: "dw_channels");
        layer.Build(new long[] { -1, 3, 8, 8 });
        var e = Assert.Throws<ArgumentException>(() => layer.Call(torch.zeros(1, 2, 8, 8)));
        Assert.Contains("dw_channels", e.Message);
        Assert.Contains("(1, 2, 8, 8)", e.Message);
    }
}
