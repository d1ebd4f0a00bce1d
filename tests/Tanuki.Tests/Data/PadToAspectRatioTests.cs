using Tanuki.Data;

namespace Tanuki.Tests.Data;

/// <summary>padToAspectRatio: Keras's geometry (pad_to_aspect_ratio in keras/src/backend/*/image.py), filled with the background colour.</summary>
public class PadToAspectRatioTests
{
    [Theory]
    // (height, width) → (target height, target width): Keras pads int((max(h, int(w·th/tw)) − h) / 2) rows above and below,
    // and int((max(w, int(h·tw/th)) − w) / 2) columns left and right.
    [InlineData(10, 40, 32, 32, 15, 0)]
    [InlineData(40, 10, 32, 32, 0, 15)]
    [InlineData(9, 20, 32, 32, 5, 0)]       // 20 − 9 = 11 rows: 5 above, 5 below (Keras drops the odd one)
    [InlineData(32, 32, 32, 64, 0, 16)]
    [InlineData(32, 32, 32, 32, 0, 0)]
    public void PaddingIsKerasGeometry(int h, int w, int th, int tw, int top, int left) =>
        Assert.Equal((top, left), ImageOps.PadBox(h, w, th, tw));

    private static string WriteRed(TempDirectory dir, int w, int h, byte alpha = 255)
    {
        string path = dir.File($"red_{w}x{h}.png");
        File.WriteAllBytes(path, ImageFiles.PngRgba(w, h, ImageFiles.Pixels(w, h, (_, _) => (255, 0, 0, alpha))));
        return path;
    }

    [Fact]
    public void AWideImageGetsWhiteRowsAboveAndBelowAndKeepsItsPixels()
    {
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        Tensor x = ImageDataset.LoadImage(WriteRed(dir, 4, 2), (4, 4), padToAspectRatio: true);   // 2 rows high, 4 wide → 1 row of fill above and below
        float[] r = x[0].data<float>().ToArray(), g = x[1].data<float>().ToArray();
        Assert.Equal(new float[] { 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255 }, r);
        Assert.Equal(new float[] { 255, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255 }, g);
        Tensor squashed = ImageDataset.LoadImage(WriteRed(dir, 4, 2), (4, 4));
        Assert.All(squashed[1].data<float>().ToArray(), v => Assert.Equal(0f, v));                 // stretched: red everywhere
        Tensor blue = ImageDataset.LoadImage(WriteRed(dir, 4, 2), (4, 4), padToAspectRatio: true, background: (0, 0, 255));
        Assert.Equal(new float[] { 255, 255, 255, 255 }, blue[2][0].data<float>().ToArray());         // the fill is the background colour
        Assert.Equal(new float[] { 0, 0, 0, 0 }, blue[0][0].data<float>().ToArray());
    }

    [Fact]
    public void FromDirectoryPadsTooAndRefusesCropAndPadTogether()
    {
        using var dir = new TempDirectory();
        foreach (string c in new[] { "a", "b" })
        {
            Directory.CreateDirectory(dir.File(c));
            File.WriteAllBytes(Path.Combine(dir.File(c), "tall.png"), ImageFiles.PngRgba(2, 6, ImageFiles.Pixels(2, 6, (_, _) => (0, 0, 0, 255))));
        }
        var ds = ImageDataset.FromDirectory(dir.Path, (6, 6), batchSize: 2, shuffle: false, padToAspectRatio: true);
        var (x, _) = ds.First();
        // 6 high, 2 wide: 2 columns of white left and right, black in the middle.
        Assert.Equal(new float[] { 255, 255, 0, 0, 255, 255 }, x[0, 0, 3].data<float>().ToArray());
        // The dataset says how it resized, for FineTune to record on the model (Model.ImageResize).
        Assert.Equal(ResizeMode.Pad, ds.Resize);
        Assert.Equal(ResizeMode.Crop, ImageDataset.FromDirectory(dir.Path, (6, 6), cropToAspectRatio: true).Resize);
        Assert.Equal(ResizeMode.Squash, ImageDataset.FromDirectory(dir.Path, (6, 6)).Resize);
        Assert.Contains("Only one of cropToAspectRatio and padToAspectRatio",
            Assert.Throws<ArgumentException>(() => ImageDataset.FromDirectory(dir.Path, (6, 6), cropToAspectRatio: true, padToAspectRatio: true)).Message);
    }

    [Fact]
    public void LoadImageForAModelUsesItsSizeAndResizeMode()
    {
        using var dir = new TempDirectory();
        var input = new Input(3, 4, 4);
        var model = new Model(input, new Tanuki.Layers.Flatten().Call(input)) { ImageResize = ResizeMode.Pad };
        using var scope = NewDisposeScope();
        Tensor x = ImageDataset.LoadImage(WriteRed(dir, 4, 2), model);
        Assert.Equal(new long[] { 3, 4, 4 }, x.shape);
        Assert.Equal(255f, x[1, 0, 0].item<float>());                                                // padded row
        model.ImageResize = null;
        Assert.Equal(0f, ImageDataset.LoadImage(WriteRed(dir, 4, 2), model)[1, 0, 0].item<float>());  // squashed
    }
}
