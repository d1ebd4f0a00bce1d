using Tanuki.Data;
using Tanuki.Layers;
using Tanuki.Tests.Data;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// Issue 16, item 4: every allocation a file or an option can ask for is bounded and checked before work starts, with a
/// message that names the limit and how to raise it — the size images are resized to, the pixels decoded at once on all
/// threads, the size of a model's description, and the memory a model needs at a given input size.
/// </summary>
[Collection(NonParallel.Name)]   // changes ImageDataset.MaxImagePixels and Model.MaxConfigBytes for a moment
public class AllocationBoundCases
{
    [Fact]
    public void LoadImageRefusesATargetLargerThanAnyImage()
    {
        using var w = new World();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataset.LoadImage(w.At("photos/circle.png"), (20000, 20000)));
        Assert.Contains("400 megapixels", e.Message);
        Assert.Contains("ImageDataset.MaxImagePixels", e.Message);
        Assert.Contains("raise ImageDataset.MaxImagePixels", e.Message);
    }

    [Fact]
    public void FromDirectoryRefusesATargetLargerThanAnyImageBeforeReadingAFile()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataset.FromDirectory("/nonexistent-folder", (100000, 100000)));
        Assert.Contains("imageSize 100000×100000", e.Message);
        Assert.Contains("MaxImagePixels", e.Message);
    }

    [Fact]
    public void DecodesOnAllThreadsTogetherStayWithinTheLimit()
    {
        using var w = new World();
        for (int i = 0; i < 6; i++)
            w.Write($"big/{(i % 2 == 0 ? "a" : "b")}/{i}.png", ImageFiles.PngRgb(2000, 2000, ImageFiles.Pixels(2000, 2000, (x, y) => ((byte)x, (byte)y, (byte)i, 255))));
        long old = ImageDataset.MaxImagePixels;
        ImageDataset.MaxImagePixels = 6_000_000;                       // one 4-megapixel image at a time
        long peak = 0;
        bool done = false;
        var watcher = new Thread(() => { while (!Volatile.Read(ref done)) { peak = Math.Max(peak, DecodeMemory.InUse); Thread.SpinWait(200); } });
        try
        {
            watcher.Start();
            var ds = ImageDataset.FromDirectory(w.At("big"), (16, 16), batchSize: 0, numParallelCalls: 4);
            Assert.Equal(6, ds.ToList().Count);
        }
        finally
        {
            Volatile.Write(ref done, true);
            watcher.Join();
            ImageDataset.MaxImagePixels = old;
        }
        Assert.InRange(peak, 4_000_000, 6_000_000);
        Assert.Equal(0, DecodeMemory.InUse);
    }

    [Fact]
    public void AnImageLargerThanTheLimitIsRefusedFromItsHeader()
    {
        using var w = new World();
        w.Write("big.png", ImageFiles.PngHeaderOnly(12000, 9000));
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.LoadImage(w.At("big.png"), (8, 8)));
        Assert.Contains("12000×9000", e.Message);
        Assert.Contains("108 megapixels", e.Message);
        Assert.Contains("raise ImageDataset.MaxImagePixels if you trust the file", e.Message);
    }

    [Fact]
    public void TheLimitOnAModelsDescriptionNamesItself()
    {
        using var w = new World();
        long old = Model.MaxConfigBytes;
        Model.MaxConfigBytes = 100;
        try
        {
            var e = Assert.Throws<Tanuki.Saving.ModelFileException>(() => Model.Load(w.Model));
            Assert.Contains("more than the 100 bytes (Model.MaxConfigBytes)", e.Message);
            Assert.Contains("raise Model.MaxConfigBytes", e.Message);
        }
        finally
        {
            Model.MaxConfigBytes = old;
        }
        Assert.NotNull(Model.Load(w.Model));
    }

    [Fact]
    public void ActivationsAreCountedLayerByLayer()
    {
        // By hand: input 3×8×8 = 192; Conv2D(4, 3×3, valid) 4×6×6 = 144; GAP 4; Dense 2.
        var input = new Input(3, 8, 8);
        var model = new Model(input, new Dense(2).Call(new GlobalAveragePooling2D().Call(new Conv2D(4, (3, 3)).Call(input))));
        Assert.Equal((192L + 144 + 4 + 2, 144L), model.FunctionalGraph!.ActivationElements([[-1, 3, 8, 8]]));
        // Nested: the inner model's layers count, and its input is the outer input (counted once more, as the inner graph holds it).
        var outerInput = new Input(3, 8, 8);
        var outer = new Model(outerInput, new Dense(5).Call(model.Call(outerInput)));
        Assert.Equal((192L + (192 + 144 + 4 + 2) + 2 + 5, 144L), outer.FunctionalGraph!.ActivationElements([[-1, 3, 8, 8]]));
        // Sizes that overflow saturate instead of wrapping round.
        var free = new Input(3, -1, -1);
        var any = new Model(free, new Conv2D(4, (3, 3)).Call(free));
        var (total, _) = any.FunctionalGraph!.ActivationElements([[-1, 3, 3_000_000_000, 3_000_000_000]]);
        Assert.Equal(long.MaxValue, total);
    }
}
