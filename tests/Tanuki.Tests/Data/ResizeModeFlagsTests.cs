using Tanuki.Data;

namespace Tanuki.Tests.Data;

/// <summary>ResizeMode ↔ the loaders' cropToAspectRatio/padToAspectRatio flags: both ways, and as the model-driven loaders apply it.</summary>
public class ResizeModeFlagsTests
{
    [Theory]
    [InlineData(ResizeMode.Squash, false, false)]
    [InlineData(ResizeMode.Crop, true, false)]
    [InlineData(ResizeMode.Pad, false, true)]
    public void EachModeIsOneSetOfFlagsAndBack(ResizeMode mode, bool crop, bool pad)
    {
        Assert.Equal((crop, pad), mode.ToAspectRatioFlags());
        Assert.Equal((crop, pad), ((ResizeMode?)mode).ToAspectRatioFlags());
        Assert.Equal(mode, ResizeModeFlags.FromAspectRatioFlags(crop, pad));
    }

    [Fact]
    public void AModelThatStatesNoModeIsSquashed() =>
        Assert.Equal((false, false), ((ResizeMode?)null).ToAspectRatioFlags());

    [Fact]
    public void LoadImageForAModelResizesAsItsModeSaysFromAFileAndFromAStream()
    {
        using var dir = new TempDirectory();
        string path = dir.File("band_8x4.png");   // wide, a red band on the left quarter, blue elsewhere: the three modes differ
        File.WriteAllBytes(path, ImageFiles.PngRgba(8, 4, ImageFiles.Pixels(8, 4, (x, _) => x < 2 ? ((byte)255, (byte)0, (byte)0, (byte)255) : ((byte)0, (byte)0, (byte)255, (byte)255))));
        var input = new Input(3, 4, 4);
        var model = new Model(input, new Tanuki.Layers.Flatten().Call(input));
        using var scope = NewDisposeScope();
        var results = new List<Tensor>();
        foreach (var (mode, crop, pad) in new (ResizeMode?, bool, bool)[] { (null, false, false), (ResizeMode.Crop, true, false), (ResizeMode.Pad, false, true) })
        {
            model.ImageResize = mode;
            Tensor expected = ImageDataset.LoadImage(path, (4, 4), cropToAspectRatio: crop, padToAspectRatio: pad);
            TensorAssert.Equal(expected, ImageDataset.LoadImage(path, model));
            using (var stream = File.OpenRead(path)) TensorAssert.Equal(expected, ImageDataset.LoadImage(stream, model));
            results.Add(expected);
        }
        Assert.False(TensorAssert.BitEqual(results[0], results[1]));
        Assert.False(TensorAssert.BitEqual(results[0], results[2]));
        Assert.False(TensorAssert.BitEqual(results[1], results[2]));
    }
}
