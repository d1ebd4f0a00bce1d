using SkiaSharp;
using Tanuki.Data;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.FewShot;

/// <summary>
/// Fashion-MNIST from Debian's <c>dataset-fashion-mnist</c> (Zalando Research, MIT): training images are drawn per
/// run from the 60,000 of the training split; the test images are fixed, the first 100 (by default) of each class in
/// the test split. Images are 28×28 grey, turned into RGB at the image size as <c>tanuki demo</c> does (bilinear, the grey
/// channel repeated). ML.NET reads files, so the images it uses are written once as 28×28 RGB PNG files into the cache.
/// </summary>
internal sealed class FashionSet : IDisposable
{
    private readonly FashionMnist _data;
    private readonly string _pngFolder;

    private FashionSet(FashionMnist data, int size, int testPerClass, string cache)
    {
        _data = data;
        _pngFolder = Path.Combine(cache, "fashion");
        Size = size;
        long[] labels = data.Train.Y.data<long>().ToArray();
        Pools = Enumerable.Range(0, ClassNames.Count).Select(c => Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray()).ToArray();
        long[] testLabels = data.Test.Y.data<long>().ToArray();
        TestIndices = Enumerable.Range(0, ClassNames.Count)
            .SelectMany(c => Enumerable.Range(0, testLabels.Length).Where(i => testLabels[i] == c).Take(testPerClass)).ToArray();
        TestLabels = TestIndices.Select(i => (int)testLabels[i]).ToArray();
        using Tensor idx = tensor(TestIndices.Select(i => (long)i).ToArray());
        using Tensor grey = data.Test.X.index_select(0, idx);
        TestImages = ToRgb(grey, size);
        TestY = tensor(TestLabels.Select(l => (long)l).ToArray());
        TestFiles = TestIndices.Select((i, k) => (Png("test", data.Test.X, i), TestLabels[k])).ToList();
    }

    /// <summary>The ten class names, by label.</summary>
    public IReadOnlyList<string> ClassNames => FashionMnist.ClassNames;

    /// <summary>The image size.</summary>
    public int Size { get; }

    /// <summary>Each class's images in the training split (indices), in file order: what a regime draws from.</summary>
    public int[][] Pools { get; }

    /// <summary>Images per class in the training split.</summary>
    public int[] Available => Pools.Select(p => p.Length).ToArray();

    /// <summary>The fixed test images (indices into the test split).</summary>
    public int[] TestIndices { get; }

    /// <summary>Their labels.</summary>
    public int[] TestLabels { get; }

    /// <summary>The test images, RGB at the image size.</summary>
    public Tensor TestImages { get; }

    /// <summary>Their labels as a tensor.</summary>
    public Tensor TestY { get; }

    /// <summary>The test images as PNG files, for ML.NET.</summary>
    public IReadOnlyList<(string Path, int Label)> TestFiles { get; }

    /// <summary>Reads Debian's Fashion-MNIST (the message of the exception says how to install it).</summary>
    public static FashionSet Load(string cache, int size, int testPerClass = 100) => new(FashionMnist.Load(), size, testPerClass, cache);

    /// <summary>A run: the training images a draw picked, all ten classes.</summary>
    public IRunData Run(RegimePlan plan, int[][] draw)
    {
        if (plan.Classes.Length != ClassNames.Count) throw new InvalidOperationException("Every Fashion-MNIST regime uses all ten classes.");
        int[] indices = plan.Classes.SelectMany(c => draw[c].Take(plan.Counts[c]).Select(p => Pools[c][p])).ToArray();
        long[] labels = _data.Train.Y.data<long>().ToArray();
        int[] trainLabels = indices.Select(i => (int)labels[i]).ToArray();
        var files = indices.Select((i, k) => (Png("train", _data.Train.X, i), trainLabels[k])).ToList();
        using Tensor idx = tensor(indices.Select(i => (long)i).ToArray());
        using Tensor grey = _data.Train.X.index_select(0, idx);
        return new FashionRun(this, ToRgb(grey, Size), trainLabels, files);
    }

    /// <summary>As <c>DemoCommand.ToRgb</c>: bilinear resize of the 28×28 grey images, the channel repeated three times.</summary>
    public static Tensor ToRgb(Tensor grey, int size)
    {
        using var scope = NewDisposeScope();
        Tensor resized = F.interpolate(grey, [size, size], mode: InterpolationMode.Bilinear, align_corners: false).clamp(0, 255);
        return resized.expand(-1, 3, -1, -1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The PNG file of an image (28×28, grey in all three channels), written the first time it is asked for.</summary>
    private string Png(string split, Tensor images, int index)
    {
        string folder = Path.Combine(_pngFolder, split);
        string path = Path.Combine(folder, $"{index:D5}.png");
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(folder);
        float[] pixels = images[index, 0].data<float>().ToArray();
        using var bitmap = new SKBitmap(new SKImageInfo(28, 28, SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                byte v = (byte)Math.Clamp(Math.Round(pixels[y * 28 + x]), 0, 255);
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        using SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        string temporary = path + ".tmp";
        File.WriteAllBytes(temporary, png.ToArray());
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    public void Dispose()
    {
        TestImages.Dispose();
        TestY.Dispose();
        _data.Dispose();
    }

    /// <summary>A run's training tensors; the test set is the data set's.</summary>
    private sealed class FashionRun(FashionSet set, Tensor trainImages, int[] trainLabels, IReadOnlyList<(string, int)> trainFiles) : IRunData
    {
        private readonly Tensor _trainY = tensor(trainLabels.Select(l => (long)l).ToArray());

        public IReadOnlyList<string> ClassNames => set.ClassNames;

        public int[] TrainLabels => trainLabels;

        public int[] TestLabels => set.TestLabels;

        public IReadOnlyList<(string Path, int Label)> TrainFiles => trainFiles;

        public IReadOnlyList<(string Path, int Label)> TestFiles => set.TestFiles;

        /// <summary>As <c>tanuki demo</c>: the tensors in batches of 32 (the recipe shuffles by itself).</summary>
        public Dataset Train() => Dataset.FromTensors(trainImages, _trainY, set.ClassNames).Batch(32);

        public Dataset TrainInOrder() => Train();

        public Dataset Test() => Dataset.FromTensors(set.TestImages, set.TestY, set.ClassNames).Batch(32);

        public void Dispose()
        {
            trainImages.Dispose();
            _trainY.Dispose();
        }
    }
}
