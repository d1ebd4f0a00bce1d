using Tanuki.Data;
using static Tanuki.Tests.Data.ImageDatasetTests;

namespace Tanuki.Tests.Data;

/// <summary>Each kind of bad input: a clear error naming the file and what to do, or with onError "skip" a logged skip.</summary>
public class ImageDatasetBadInputTests
{
    private static readonly (byte, byte, byte, byte) Gray = (128, 128, 128, 255);

    private static byte[] NoisyJpeg(int size)
    {
        var random = new Random(1);
        return ImageFiles.Jpeg(size, size, ImageFiles.Pixels(size, size, (_, _) => ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256), 255)), quality: 90);
    }

    private static string WithGoodImages(params (string Path, byte[] Bytes)[] bad) =>
        Folder([.. bad, ("a/good1.png", SolidPng(Gray)), ("a/good2.png", SolidPng(Gray)), ("b/good3.png", SolidPng(Gray))]);

    [Fact]
    public void ATruncatedJpegFailsWhenDecodedNamingTheFile()
    {
        byte[] jpeg = NoisyJpeg(64);
        string dir = WithGoodImages(("a/broken.jpg", jpeg[..(jpeg.Length * 6 / 10)]));
        var ds = ImageDataset.FromDirectory(dir, (8, 8), batchSize: 2, shuffle: false);     // the header is fine
        var e = Assert.Throws<DatasetException>(() => ds.ToList());
        Assert.Contains("broken.jpg", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
    }

    [Fact]
    public void ATruncatedJpegIsSkippedAndLoggedWithSkip()
    {
        byte[] jpeg = NoisyJpeg(64);
        string dir = WithGoodImages(("a/broken.jpg", jpeg[..(jpeg.Length * 6 / 10)]));
        var ds = ImageDataset.FromDirectory(dir, (8, 8), batchSize: 0, shuffle: false, onError: "skip");
        Assert.Equal(3, ds.ToList().Count);
        var skipped = Assert.Single(ds.SkippedFiles);
        Assert.EndsWith("broken.jpg", skipped.File);
        Assert.Contains("truncated", skipped.Reason);
    }

    [Fact]
    public void AZeroByteFileIsRejectedUpFront()
    {
        string dir = WithGoodImages(("a/empty.png", []));
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.FromDirectory(dir, (8, 8)));
        Assert.Contains("empty.png", e.Message);
        Assert.Contains("empty (0 bytes)", e.Message);
        Assert.Contains("onError: \"skip\"", e.Message);
        var ds = ImageDataset.FromDirectory(dir, (8, 8), batchSize: 0, onError: "skip");
        Assert.Equal(3, ds.FilePaths.Count);
        Assert.Single(ds.SkippedFiles);
    }

    [Fact]
    public void ATextFileNamedPngIsRejectedSayingWhatItIs()
    {
        string dir = WithGoodImages(("b/readme.png", "hello, this is not an image"u8.ToArray()));
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.FromDirectory(dir, (8, 8)));
        Assert.Contains("readme.png", e.Message);
        Assert.Contains("not an image", e.Message);
        Assert.Contains("starts with the text \"hello, this is n", e.Message);
        Assert.Equal(3, ImageDataset.FromDirectory(dir, (8, 8), onError: "skip").FilePaths.Count);
    }

    [Fact]
    public void AnEmptyClassFolderIsAnErrorOrAWarningWithSkip()
    {
        string dir = WithGoodImages(("c/notes.txt", "no images here"u8.ToArray()));
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.FromDirectory(dir, (8, 8)));
        Assert.Contains(Path.Combine(dir, "c"), e.Message);
        Assert.Contains("has no images", e.Message);
        var ds = ImageDataset.FromDirectory(dir, (8, 8), onError: "skip");
        Assert.Equal(["a", "b", "c"], ds.ClassNames!);                 // kept, so label numbers match the folders
        Assert.Contains("no images", Assert.Single(ds.SkippedFiles).Reason);
    }

    [Fact]
    public void AFolderWithNoImagesOrNoClassFoldersSaysWhatLayoutIsExpected()
    {
        string empty = Folder(("readme.txt", "x"u8.ToArray()));
        Assert.Contains("expected one subfolder per class", Assert.Throws<InvalidDataException>(() => ImageDataset.FromDirectory(empty, (8, 8))).Message);
        string flat = Folder(("1.png", SolidPng(Gray)), ("2.png", SolidPng(Gray)));
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.FromDirectory(flat, (8, 8)));
        Assert.Contains("holds 2 images directly but no class subfolders", e.Message);
        Assert.Throws<DirectoryNotFoundException>(() => ImageDataset.FromDirectory(Path.Combine(empty, "missing"), (8, 8)));
        string noImages = Folder(("a/x.txt", "x"u8.ToArray()), ("b/y.txt", "y"u8.ToArray()));
        Assert.Contains("hold no image files", Assert.Throws<InvalidDataException>(() => ImageDataset.FromDirectory(noImages, (8, 8), onError: "skip")).Message);
    }

    [Fact]
    public void ASingleClassIsAnErrorThatSaysWhy()
    {
        string dir = Folder(("cats/1.png", SolidPng(Gray)), ("cats/2.png", SolidPng(Gray)));
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.FromDirectory(dir, (8, 8)));
        Assert.Contains("single class subfolder, 'cats'", e.Message);
        Assert.Contains("at least two classes", e.Message);
        Assert.Contains("learns nothing", e.Message);
    }

    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    public void AHugeImageIsRejectedFromItsHeaderBeforeDecoding(string format)
    {
        byte[] bomb = format == "png" ? ImageFiles.PngHeaderOnly(20000, 20000) : ImageFiles.WithJpegSize(NoisyJpeg(16), 20000, 20000);
        Assert.True(bomb.Length < 10_000);
        string dir = WithGoodImages(($"b/huge.{format}", bomb));
        long before = GC.GetTotalAllocatedBytes();
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.FromDirectory(dir, (8, 8)));
        Assert.True(GC.GetTotalAllocatedBytes() - before < 50_000_000, "the image was decoded");
        Assert.Contains($"huge.{format}", e.Message);
        Assert.Contains("20000×20000 pixels (400 megapixels)", e.Message);
        Assert.Contains("before decoding", e.Message);
        var ds = ImageDataset.FromDirectory(dir, (8, 8), batchSize: 0, onError: "skip");
        Assert.Equal(3, ds.ToList().Count);
    }

    [Fact]
    public void SeveralBadFilesAreCountedInTheError()
    {
        string dir = WithGoodImages(("a/e1.png", []), ("a/e2.png", []), ("b/e3.jpg", []));
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.FromDirectory(dir, (8, 8)));
        Assert.Contains("e1.png", e.Message);
        Assert.Contains("2 more files have problems too", e.Message);
        Assert.Equal(3, ImageDataset.FromDirectory(dir, (8, 8), onError: "skip").SkippedFiles.Count);
    }
}
