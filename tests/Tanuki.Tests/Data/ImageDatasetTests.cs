using SkiaSharp;
using Tanuki.Data;

namespace Tanuki.Tests.Data;

/// <summary>ImageDataset.FromDirectory on tiny folders written by the test, every format and colour type.</summary>
public class ImageDatasetTests
{
    private static readonly (byte, byte, byte, byte) Red = (255, 0, 0, 255), Green = (0, 255, 0, 255), Blue = (0, 0, 255, 255), White = (255, 255, 255, 255);

    /// <summary>Writes files: relative path → bytes.</summary>
    internal static string Folder(params (string Path, byte[] Bytes)[] files)
    {
        string root = TempFolder.Create();
        foreach (var (path, bytes) in files)
        {
            string full = Path.Combine(root, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, bytes);
        }
        return root;
    }

    /// <summary>A plain 4×4 PNG for filler classes.</summary>
    internal static byte[] SolidPng((byte, byte, byte, byte) c, int size = 4) => ImageFiles.PngRgba(size, size, ImageFiles.Pixels(size, size, (_, _) => c));

    /// <summary>Every sample of an unbatched, unshuffled dataset: its image as float[C][H][W] flattened, and label.</summary>
    private static List<(Tensor Image, long Label)> Samples(ImageDataset ds) =>
        ds.Select(e => (e.Inputs, e.Targets.item<long>())).ToList();

    private static float[] Pixel(Tensor chw, int y, int x) => chw[TensorIndex.Colon, y, x].data<float>().ToArray();

    [Fact]
    public void ClassesAreTheSortedSubfoldersAndLabelsTheirPositions()
    {
        string dir = Folder(
            ("b_dogs/1.png", SolidPng(Red)), ("b_dogs/sub/2.png", SolidPng(Red)),
            ("a_cats/x.png", SolidPng(Green)),
            ("C_birds/z.png", SolidPng(Blue)), ("C_birds/notes.txt", "ignored"u8.ToArray()),
            (".ipynb_checkpoints/y.png", SolidPng(White)));
        var ds = ImageDataset.FromDirectory(dir, (4, 4), batchSize: 0, shuffle: false);
        Assert.Equal(["C_birds", "a_cats", "b_dogs"], ds.ClassNames!);           // ordinal order, as Python's sorted()
        Assert.Equal([0, 1, 2, 2], ds.Labels);
        Assert.Equal(4, ds.Cardinality);
        Assert.EndsWith(Path.Combine("b_dogs", "sub", "2.png"), ds.FilePaths[3]);
        var samples = Samples(ds);
        Assert.Equal(new long[] { 0, 1, 2, 2 }, samples.Select(s => s.Label));
        Assert.Equal(new float[] { 0, 0, 255 }, Pixel(samples[0].Image, 0, 0));
        Assert.Equal(new float[] { 0, 255, 0 }, Pixel(samples[1].Image, 3, 3));
    }

    [Fact]
    public void BatchesAreNCHWFloatIn0To255()
    {
        string dir = Folder(Enumerable.Range(0, 5).Select(i => ($"a/{i}.png", SolidPng(Red, 6))).Concat(
                            Enumerable.Range(0, 3).Select(i => ($"b/{i}.png", SolidPng(Blue, 6)))).ToArray());
        var ds = ImageDataset.FromDirectory(dir, (5, 7), batchSize: 3, seed: 1);
        Assert.True(ds.IsBatched);
        Assert.Equal(3, ds.Cardinality);
        var batches = ds.ToList();
        Assert.Equal(new long[] { 3, 3, 5, 7 }, batches[0].Inputs.shape);
        Assert.Equal(new long[] { 2, 3, 5, 7 }, batches[2].Inputs.shape);
        Assert.Equal(ScalarType.Float32, batches[0].Inputs.dtype);
        Assert.Equal(ScalarType.Int64, batches[0].Targets.dtype);
        Assert.Equal(255f, batches[0].Inputs.max().item<float>());
        Assert.Equal(8, batches.Sum(b => b.Targets.shape[0]));
        Assert.Equal(5, batches.Sum(b => (b.Targets == 0).sum().item<long>()));
    }

    public static TheoryData<string, int> Formats => new()
    {
        { "png", 0 }, { "bmp", 0 }, { "gif", 0 }, { "webp", 0 }, { "jpg", 6 }, { "jpeg", 6 },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public void EveryFormatDecodesToItsPixels(string extension, int tolerance)
    {
        // Four flat quadrants (flat, so that JPEG's error stays small) of an 8×6 image.
        byte[] rgba = ImageFiles.Pixels(8, 6, (x, y) => (x < 4, y < 3) switch
        {
            (true, true) => Red, (false, true) => Green, (true, false) => Blue, _ => (200, 100, 50, 255),
        });
        byte[] file = extension switch
        {
            "png" => ImageFiles.PngRgb(8, 6, rgba),
            "bmp" => ImageFiles.Bmp(8, 6, rgba),
            "gif" => ImageFiles.Gif(8, 6, rgba),
            "webp" => ImageFiles.Encode(8, 6, rgba, SKEncodedImageFormat.Webp),
            _ => ImageFiles.Jpeg(8, 6, rgba),
        };
        string dir = Folder(($"a/image.{extension}", file), ("b/other.png", SolidPng(White)));
        var (image, _) = Samples(ImageDataset.FromDirectory(dir, (6, 8), batchSize: 0, shuffle: false))[0];
        Assert.Equal(new long[] { 3, 6, 8 }, image.shape);
        using var expected = torch.tensor(ImageFiles.Channels(rgba, 0, 1, 2), [6, 8, 3]).permute(2, 0, 1).to_type(ScalarType.Float32);
        // JPEG: compared away from the quadrant edges, where its 8×8 blocks blur the colours.
        Tensor e = tolerance == 0 ? expected : expected[TensorIndex.Colon, TensorIndex.Tensor(torch.tensor(new long[] { 0, 5 })), TensorIndex.Tensor(torch.tensor(new long[] { 0, 7 }))];
        Tensor a = tolerance == 0 ? image : image[TensorIndex.Colon, TensorIndex.Tensor(torch.tensor(new long[] { 0, 5 })), TensorIndex.Tensor(torch.tensor(new long[] { 0, 7 }))];
        TensorAssert.Close(e, a, atol: tolerance);
    }

    public static TheoryData<int, string[]> Orientations => new()
    {
        // EXIF orientation → the colours of the upright image's quadrants TL, TR, BL, BR (worked out by hand from
        // the stored TL red, TR green, BL blue, BR white).
        { 1, ["red", "green", "blue", "white"] },
        { 2, ["green", "red", "white", "blue"] },     // mirrored
        { 3, ["white", "blue", "green", "red"] },     // 180°
        { 6, ["blue", "red", "white", "green"] },     // stored rotated: shown turned 90° clockwise
        { 8, ["green", "white", "red", "blue"] },     // shown turned 90° counter-clockwise
    };

    [Theory]
    [MemberData(nameof(Orientations))]
    public void ExifOrientationIsApplied(int orientation, string[] quadrants)
    {
        byte[] rgba = ImageFiles.Pixels(24, 16, (x, y) => (x < 12, y < 8) switch { (true, true) => Red, (false, true) => Green, (true, false) => Blue, _ => White });
        byte[] jpeg = ImageFiles.WithExifOrientation(ImageFiles.Jpeg(24, 16, rgba), orientation);
        string dir = Folder(("a/photo.jpg", jpeg), ("b/other.png", SolidPng(White)));
        bool turned = orientation >= 5;
        var size = turned ? (24, 16) : (16, 24);
        var (image, _) = Samples(ImageDataset.FromDirectory(dir, size, batchSize: 0, shuffle: false))[0];
        int h = (int)image.shape[1], w = (int)image.shape[2];
        Assert.Equal(turned ? 24 : 16, h);
        var colours = new Dictionary<string, float[]> { ["red"] = [255, 0, 0], ["green"] = [0, 255, 0], ["blue"] = [0, 0, 255], ["white"] = [255, 255, 255] };
        (int Y, int X)[] centres = [(h / 4, w / 4), (h / 4, 3 * w / 4), (3 * h / 4, w / 4), (3 * h / 4, 3 * w / 4)];
        for (int q = 0; q < 4; q++)
            TensorAssert.Close(colours[quadrants[q]], image[TensorIndex.Colon, centres[q].Y, centres[q].X], atol: 8);
    }

    [Fact]
    public void TransparencyIsCompositedOntoWhiteNotBlack()
    {
        // Opaque red, clear red, blue at alpha 128, green at alpha 64 — expected values by hand: c·a/255 + 255·(1 − a/255).
        byte[] rgba = [255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 255, 128, 0, 255, 0, 64];
        string dir = Folder(("a/rgba.png", ImageFiles.PngRgba(4, 1, rgba)), ("b/other.png", SolidPng(White)));
        var (image, _) = Samples(ImageDataset.FromDirectory(dir, (1, 4), batchSize: 0, shuffle: false))[0];
        TensorAssert.Close(new float[] { 255, 255, 127, 191, 0, 255, 127, 255, 0, 255, 255, 191 }, image, atol: 1e-4);

        var (onBlack, _) = Samples(ImageDataset.FromDirectory(dir, (1, 4), batchSize: 0, shuffle: false, background: (0, 0, 0)))[0];
        TensorAssert.Close(new float[] { 255, 0, 0, 0, 0, 0, 0, 64, 0, 0, 128, 0 }, onBlack, atol: 1e-4);

        var (kept, _) = Samples(ImageDataset.FromDirectory(dir, (1, 4), batchSize: 0, shuffle: false, colorMode: "rgba"))[0];
        TensorAssert.Close(new float[] { 255, 255, 0, 0, 0, 0, 0, 255, 0, 0, 255, 0, 255, 0, 128, 64 }, kept, atol: 0);
    }

    [Fact]
    public void GrayscalePaletteAndGrayAlphaImagesBecomeRgb()
    {
        byte[] gray = [0, 77, 200, 255];
        byte[] palette = [255, 0, 0, 0, 0, 255, 10, 20, 30];
        string dir = Folder(
            ("a/1_gray.png", ImageFiles.Png(4, 1, 0, 8, gray)),
            ("a/2_palette.png", ImageFiles.Png(4, 1, 3, 8, [0, 1, 2, 1], palette, transparency: [255, 255, 0])),
            ("a/3_grayalpha.png", ImageFiles.Png(2, 1, 4, 8, [100, 255, 100, 0])),
            ("b/other.png", SolidPng(White)));
        var samples = Samples(ImageDataset.FromDirectory(dir, (1, 4), batchSize: 0, shuffle: false, interpolation: "nearest"));
        TensorAssert.Close(new float[] { 0, 77, 200, 255, 0, 77, 200, 255, 0, 77, 200, 255 }, samples[0].Image, atol: 0);
        // palette index 2 is fully transparent (tRNS) → white
        TensorAssert.Close(new float[] { 255, 0, 255, 0, 0, 0, 255, 0, 0, 255, 255, 255 }, samples[1].Image, atol: 0);
        // gray 100 opaque, then gray 100 fully transparent → white; nearest upscaling 2 → 4 columns
        TensorAssert.Close(new float[] { 100, 100, 255, 255, 100, 100, 255, 255, 100, 100, 255, 255 }, samples[2].Image, atol: 1e-4);
    }

    [Fact]
    public void ColorModeGrayscaleUsesLumaAndKeepsGrayImagesExact()
    {
        string dir = Folder(
            ("a/1_gray.png", ImageFiles.Png(4, 1, 0, 8, [0, 77, 200, 255])),
            ("a/2_rgb.png", ImageFiles.PngRgb(4, 1, [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 90, 90, 90, 255])),
            ("b/other.png", SolidPng(White)));
        var samples = Samples(ImageDataset.FromDirectory(dir, (1, 4), batchSize: 0, shuffle: false, colorMode: "grayscale"));
        Assert.Equal(new long[] { 1, 1, 4 }, samples[0].Image.shape);
        TensorAssert.Close(new float[] { 0, 77, 200, 255 }, samples[0].Image, atol: 0);
        // round(0.299·255) = 76, round(0.587·255) = 150, round(0.114·255) = 29, gray stays gray
        TensorAssert.Close(new float[] { 76, 150, 29, 90 }, samples[1].Image, atol: 0);
    }

    [Fact]
    public void SixteenBitPngsAreReducedToTheirEightBitValues()
    {
        byte[] rgb8 = [0, 128, 255, 17, 34, 51, 200, 100, 1, 254, 3, 77];
        string dir = Folder(
            ("a/rgb16.png", ImageFiles.Png(4, 1, 2, 16, ImageFiles.To16Bit(rgb8))),
            ("a/rgba16.png", ImageFiles.Png(1, 1, 6, 16, ImageFiles.To16Bit([10, 20, 30, 255]))),
            ("a/zgray16.png", ImageFiles.Png(2, 1, 0, 16, ImageFiles.To16Bit([7, 250])))
            , ("b/other.png", SolidPng(White)));
        var samples = Samples(ImageDataset.FromDirectory(dir, (1, 4), batchSize: 0, shuffle: false, interpolation: "nearest"));
        using var expected = torch.tensor(rgb8, [1, 4, 3]).permute(2, 0, 1).to_type(ScalarType.Float32);
        TensorAssert.Close(expected, samples[0].Image, atol: 0);
        TensorAssert.Close(new float[] { 10, 10, 10, 10, 20, 20, 20, 20, 30, 30, 30, 30 }, samples[1].Image, atol: 0);
        TensorAssert.Close(new float[] { 7, 7, 250, 250, 7, 7, 250, 250, 7, 7, 250, 250 }, samples[2].Image, atol: 0);
    }

    /// <summary>A gray test pattern with no symmetry, as a gray PNG.</summary>
    private static byte[,] Pattern(int w, int h)
    {
        var p = new byte[h, w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) p[y, x] = (byte)((x * x * 7 + y * 31 + x * y * 3) % 251);
        return p;
    }

    private static byte[] GrayPng(byte[,] p)
    {
        int h = p.GetLength(0), w = p.GetLength(1);
        return ImageFiles.Png(w, h, 0, 8, p.Cast<byte>().ToArray());
    }

    [Fact]
    public void BilinearResizeMatchesAHandComputedReference()
    {
        // Half-pixel bilinear (tf.image.resize, no antialiasing). 8×8 → 4×4 samples at (2i + 0.5, 2j + 0.5): the mean
        // of each 2×2 block. 12 wide × 8 high → 4×4 samples columns 3j + 1 exactly and the mean of rows 2i, 2i + 1.
        byte[,] square = Pattern(8, 8), wide = Pattern(12, 8);
        string dir = Folder(("a/1_square.png", GrayPng(square)), ("a/2_wide.png", GrayPng(wide)), ("b/other.png", SolidPng(White)));
        var samples = Samples(ImageDataset.FromDirectory(dir, (4, 4), batchSize: 0, shuffle: false, colorMode: "grayscale"));
        var blocks = new float[16];
        var stretched = new float[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                blocks[i * 4 + j] = (square[2 * i, 2 * j] + square[2 * i, 2 * j + 1] + square[2 * i + 1, 2 * j] + square[2 * i + 1, 2 * j + 1]) / 4f;
                stretched[i * 4 + j] = (wide[2 * i, 3 * j + 1] + wide[2 * i + 1, 3 * j + 1]) / 2f;
            }
        TensorAssert.Close(blocks, samples[0].Image, atol: 1e-3);
        TensorAssert.Close(stretched, samples[1].Image, atol: 1e-3);
    }

    [Fact]
    public void CropToAspectRatioCropsTheCentreBeforeResizing()
    {
        // 12 wide × 8 high to 4×4: the centred 8×8 window is columns 2..9, then 2×2 block means.
        byte[,] wide = Pattern(12, 8);
        string dir = Folder(("a/wide.png", GrayPng(wide)), ("b/other.png", SolidPng(White)));
        var (image, _) = Samples(ImageDataset.FromDirectory(dir, (4, 4), batchSize: 0, shuffle: false, colorMode: "grayscale", cropToAspectRatio: true))[0];
        var expected = new float[16];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
            {
                int x = 2 + 2 * j, y = 2 * i;
                expected[i * 4 + j] = (wide[y, x] + wide[y, x + 1] + wide[y + 1, x] + wide[y + 1, x + 1]) / 4f;
            }
        TensorAssert.Close(expected, image, atol: 1e-3);
    }

    [Fact]
    public void AOneByOnePixelImageIsAcceptedAndUpscaled()
    {
        string dir = Folder(("a/dot.png", ImageFiles.PngRgb(1, 1, [10, 200, 30, 255])), ("b/other.png", SolidPng(White)));
        var (image, _) = Samples(ImageDataset.FromDirectory(dir, (5, 3), batchSize: 0, shuffle: false))[0];
        Assert.Equal(new long[] { 3, 5, 3 }, image.shape);
        TensorAssert.Close(torch.tensor(new float[] { 10, 200, 30 }).reshape(3, 1, 1).expand(3, 5, 3), image, atol: 1e-4);
    }

    [Fact]
    public void LabelModes()
    {
        string dir = Folder(("a/1.png", SolidPng(Red)), ("b/1.png", SolidPng(Green)), ("c/1.png", SolidPng(Blue)));
        var (_, ints) = ImageDataset.FromDirectory(dir, (4, 4), batchSize: 8, shuffle: false).First();
        Assert.Equal(ScalarType.Int64, ints.dtype);
        Assert.Equal(new long[] { 0, 1, 2 }, ints.data<long>().ToArray());
        var (_, onehot) = ImageDataset.FromDirectory(dir, (4, 4), batchSize: 8, shuffle: false, labelMode: "categorical").First();
        Assert.Equal(ScalarType.Float32, onehot.dtype);
        TensorAssert.Equal(torch.eye(3), onehot);
        var e = Assert.Throws<ArgumentException>(() => ImageDataset.FromDirectory(dir, (4, 4), labelMode: "binary"));
        Assert.Contains("exactly 2 classes", e.Message);

        string two = Folder(("no/1.png", SolidPng(Red)), ("yes/1.png", SolidPng(Green)), ("yes/2.png", SolidPng(Green)));
        var (_, binary) = ImageDataset.FromDirectory(two, (4, 4), batchSize: 8, shuffle: false, labelMode: "binary").First();
        Assert.Equal(new long[] { 3, 1 }, binary.shape);
        Assert.Equal(new float[] { 0, 1, 1 }, binary.data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => ImageDataset.FromDirectory(dir, (4, 4), labelMode: "sparse"));
    }

    private static string TwentyImages() => Folder(Enumerable.Range(0, 20).Select(i => ($"{(i % 2 == 0 ? "even" : "odd")}/{i:D2}.png", SolidPng(((byte)i, 0, 0, 255)))).ToArray());

    [Fact]
    public void ValidationSplitIsDisjointCompleteAndReproducibleWithASeed()
    {
        string dir = TwentyImages();
        var train = ImageDataset.FromDirectory(dir, (4, 4), validationSplit: 0.25, subset: "training", seed: 42);
        var val = ImageDataset.FromDirectory(dir, (4, 4), validationSplit: 0.25, subset: "validation", seed: 42);
        Assert.Equal(15, train.FilePaths.Count);
        Assert.Equal(5, val.FilePaths.Count);
        Assert.Empty(train.FilePaths.Intersect(val.FilePaths));
        Assert.Equal(20, train.FilePaths.Union(val.FilePaths).Count());
        var (train2, val2) = ImageDataset.FromDirectoryWithValidation(dir, (4, 4), validationSplit: 0.25, seed: 42);
        Assert.Equal(train.FilePaths, train2.FilePaths);
        Assert.Equal(val.FilePaths, val2.FilePaths);
        var (_, otherVal) = ImageDataset.FromDirectoryWithValidation(dir, (4, 4), validationSplit: 0.25, seed: 7);
        Assert.NotEqual(val.FilePaths.Order(), otherVal.FilePaths.Order());
        // What is enumerated is what FilePaths says: the red value of each image is its file number.
        var seen = val.SelectMany(b => b.Inputs[TensorIndex.Colon, 0, 0, 0].data<float>().ToArray()).Select(v => (int)v).Order();
        Assert.Equal(val.FilePaths.Select(p => int.Parse(Path.GetFileNameWithoutExtension(p))).Order(), seen);
    }

    [Fact]
    public void TrainingIsReshuffledEachEpochAndValidationIsNot()
    {
        string dir = TwentyImages();
        var (train, val) = ImageDataset.FromDirectoryWithValidation(dir, (4, 4), validationSplit: 0.5, batchSize: 4, seed: 3);
        static List<float> Order(Dataset ds) => ds.SelectMany(b => b.Inputs[TensorIndex.Colon, 0, 0, 0].data<float>().ToArray()).ToList();
        Assert.NotEqual(Order(train), Order(train));
        Assert.Equal(Order(val), Order(val));
        var (trainAgain, _) = ImageDataset.FromDirectoryWithValidation(dir, (4, 4), validationSplit: 0.5, batchSize: 4, seed: 3);
        Assert.Equal(Order(ImageDataset.FromDirectoryWithValidation(dir, (4, 4), validationSplit: 0.5, batchSize: 4, seed: 3).Training), Order(trainAgain));
    }

    [Fact]
    public void SplitArgumentsAreCheckedAsKerasDoes()
    {
        string dir = TwentyImages();
        Assert.Contains("FromDirectoryWithValidation", Assert.Throws<ArgumentException>(() => ImageDataset.FromDirectory(dir, (4, 4), validationSplit: 0.2, subset: "both")).Message);
        Assert.Throws<ArgumentException>(() => ImageDataset.FromDirectory(dir, (4, 4), validationSplit: 0.2));
        Assert.Throws<ArgumentException>(() => ImageDataset.FromDirectory(dir, (4, 4), subset: "training"));
        Assert.Contains("leaves no validation", Assert.Throws<ArgumentException>(() => ImageDataset.FromDirectory(dir, (4, 4), validationSplit: 0.01, subset: "training")).Message);
        Assert.Throws<ArgumentException>(() => ImageDataset.FromDirectory(dir, (4, 4), interpolation: "lanczos3"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageDataset.FromDirectory(dir, (0, 4)));
    }

    [Fact]
    public void AnImageDatasetTrainsAModel()
    {
        string dir = Folder(Enumerable.Range(0, 6).Select(i => ($"a/{i}.png", SolidPng(Red))).Concat(Enumerable.Range(0, 6).Select(i => ($"b/{i}.png", SolidPng(Blue)))).ToArray());
        var ds = ImageDataset.FromDirectory(dir, (4, 4), batchSize: 4, seed: 1);
        var model = new Sequential(new Input(3, 4, 4), new Tanuki.Layers.Flatten(), new Tanuki.Layers.Dense(2));
        model.Compile(optimizer: "adam", loss: "sparse_categorical_crossentropy");
        History h = model.Fit(ds, epochs: 2, verbose: 0);
        Assert.Equal(2, h.Metrics["loss"].Count);
    }
}
