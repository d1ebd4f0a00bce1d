using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class ResizingTests
{
    public static TheoryData<string> Cases => new()
    {
        "resize_bilinear_down", "resize_bilinear_up", "resize_bilinear_antialias", "resize_nearest", "resize_bicubic",
        "resize_area", "resize_crop_wide", "resize_crop_tall",
    };

    private static Resizing Create(string name) => name switch
    {
        "resize_bilinear_down" => new Resizing(5, 3),
        "resize_bilinear_up" => new Resizing(11, 13, "bilinear"),
        "resize_bilinear_antialias" => new Resizing(3, 4, antialias: true),
        "resize_nearest" => new Resizing(11, 5, "nearest"),
        "resize_bicubic" => new Resizing(5, 10, "bicubic"),
        "resize_area" => new Resizing(3, 5, "area"),
        "resize_crop_wide" => new Resizing(4, 6, cropToAspectRatio: true),
        "resize_crop_tall" => new Resizing(6, 2, cropToAspectRatio: true),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheTorchReference(string name) =>
        LayerTestHelper.Check(Create(name), ReferenceData.Case(name), atol: 2e-5).Dispose();

    [Fact]
    public void OutputShapeIsFixedWhateverTheInputSize()
    {
        var layer = new Resizing(32, 48);
        Assert.Equal(new long[] { -1, 3, 32, 48 }, layer.ComputeOutputShape(new long[] { -1, 3, -1, -1 }));
        using var scope = torch.NewDisposeScope();
        Tensor y = layer.Call(torch.randint(0, 256, new long[] { 2, 3, 17, 9 }, dtype: ScalarType.Int64));
        Assert.Equal(new long[] { 2, 3, 32, 48 }, y.shape);
        Assert.Equal(ScalarType.Float32, y.dtype);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new Resizing(8, 8, "lanczos3"));
        Assert.Contains("interpolation=\"lanczos3\"", e.Message);
        Assert.Contains("\"area\"", e.Message);
        Assert.Contains("height=0", Assert.Throws<ArgumentOutOfRangeException>(() => new Resizing(0, 8)).Message);
        Assert.Contains("width=-3", Assert.Throws<ArgumentOutOfRangeException>(() => new Resizing(8, -3)).Message);
    }
}
