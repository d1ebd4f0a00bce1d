using System.IO.Compression;
using Tanuki.Data;

namespace Tanuki.Tests.Data;

public class FashionMnistTests
{
    [Fact]
    public void TheEmbeddedSampleIsClassBalancedNchwFloat()
    {
        using var sample = FashionMnist.LoadSample();
        var ((xTrain, yTrain), (xTest, yTest)) = sample;
        Assert.Equal(new long[] { 1000, 1, 28, 28 }, xTrain.shape);
        Assert.Equal(new long[] { 1000, 1, 28, 28 }, xTest.shape);
        Assert.Equal(ScalarType.Float32, xTrain.dtype);
        Assert.Equal(ScalarType.Int64, yTrain.dtype);
        Assert.Equal(0f, xTrain.min().item<float>());
        Assert.Equal(255f, xTrain.max().item<float>());
        Assert.Equal(Enumerable.Repeat(100L, 10), yTrain.bincount(null).data<long>().ToArray());
        Assert.Equal(Enumerable.Repeat(100L, 10), yTest.bincount(null).data<long>().ToArray());
        Assert.Equal("T-shirt/top", FashionMnist.ClassNames[0]);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
        var ds = sample.TrainDataset();
        Assert.Equal(1000, ds.Cardinality);
        Assert.Equal(FashionMnist.ClassNames, ds.ClassNames);
    }

    [Fact]
    public void TheSampleIsTheFirstHundredOfEachClassOfTheFullSet()
    {
        Assert.True(File.Exists(Path.Combine(FashionMnist.DebianFolder, "train-labels-idx1-ubyte.gz")),
            $"This test needs Debian's full Fashion-MNIST in {FashionMnist.DebianFolder}: apt-get install dataset-fashion-mnist (.ci/run installs it).");
        using var full = FashionMnist.Load();
        Assert.Equal(new long[] { 60000, 1, 28, 28 }, full.Train.X.shape);
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, full.Test.X.shape);
        using var sample = FashionMnist.LoadSample();
        foreach (var (fullPart, samplePart) in new[] { (full.Train, sample.Train), (full.Test, sample.Test) })
        {
            long[] labels = fullPart.Y.data<long>().ToArray();
            var taken = new int[10];
            var keep = new List<long>();
            for (int i = 0; i < labels.Length; i++)
                if (taken[labels[i]]++ < 100) keep.Add(i);
            Tensor index = torch.tensor(keep.ToArray());
            TensorAssert.Equal(fullPart.X.index_select(0, index), samplePart.X);
            TensorAssert.Equal(fullPart.Y.index_select(0, index), samplePart.Y);
        }
    }

    private static void WriteIdx(string path, byte[] header, byte[] data, bool gzip)
    {
        using var file = File.Create(path);
        using Stream s = gzip ? new GZipStream(file, CompressionLevel.Fastest) : file;
        s.Write(header);
        s.Write(data);
    }

    private static byte[] Header(int magic, params int[] dims) =>
        new[] { magic }.Concat(dims).SelectMany(v => new[] { (byte)(v >> 24), (byte)(v >> 16), (byte)(v >> 8), (byte)v }).ToArray();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LoadReadsGzippedOrPlainIdxFiles(bool gzip)
    {
        string dir = TempFolder.Create();
        byte[] pixels = Enumerable.Range(0, 2 * 784).Select(i => (byte)(i % 256)).ToArray();
        string ext = gzip ? ".gz" : "";
        foreach (string prefix in new[] { "train", "t10k" })
        {
            WriteIdx(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}"), Header(0x803, 2, 28, 28), pixels, gzip);
            WriteIdx(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}"), Header(0x801, 2), [3, 9], gzip);
        }
        using var data = FashionMnist.Load(dir);
        Assert.Equal(new long[] { 2, 1, 28, 28 }, data.Train.X.shape);
        Assert.Equal(new long[] { 3, 9 }, data.Test.Y.data<long>().ToArray());
        Assert.Equal(255f, data.Train.X[0, 0, 9, 3].item<float>());     // pixel 255 = row 9, column 3
        Assert.Equal(140f, data.Train.X[1, 0, 4, 12].item<float>());    // 784 + 4·28 + 12 = 908, and 908 − 3·256 = 140
    }

    [Fact]
    public void MissingOrDamagedFilesAreClearErrors()
    {
        string dir = TempFolder.Create();
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(dir));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("LoadSample", e.Message);
        foreach (string prefix in new[] { "train", "t10k" })
        {
            WriteIdx(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), Header(0x803, 5, 28, 28), new byte[100], gzip: false);
            WriteIdx(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), Header(0x801, 5), new byte[5], gzip: false);
        }
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir)).Message);
    }

    [Fact]
    public void ExportImageFolderRoundTripsThroughFromDirectory()
    {
        using var sample = FashionMnist.LoadSample();
        Dataset part = sample.TestDataset().Take(40);
        string dir = TempFolder.Create();
        Assert.Equal(40, part.Batch(16).ExportImageFolder(dir));
        Assert.Equal(10, Directory.GetDirectories(dir).Length);                 // every class, even one with no image
        Assert.True(Directory.Exists(Path.Combine(dir, "T-shirt_top")));        // '/' cannot be in a folder name
        var back = ImageDataset.FromDirectory(dir, (28, 28), batchSize: 0, shuffle: false, colorMode: "grayscale");
        var originals = part.Select(e => (e.Inputs, Name: FashionMnist.ClassNames[(int)e.Targets.item<long>()].Replace('/', '_')))
            .OrderBy(e => e.Name, StringComparer.Ordinal).ToList();                // FromDirectory's order: class folders sorted
        var read = back.Select(e => (e.Inputs, Name: back.ClassNames![(int)e.Targets.item<long>()])).ToList();
        Assert.Equal(originals.Select(o => o.Name), read.Select(r => r.Name));
        for (int i = 0; i < 40; i++) TensorAssert.Equal(originals[i].Inputs, read[i].Inputs);   // 8-bit PNG: lossless
    }
}
