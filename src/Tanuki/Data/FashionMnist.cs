using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>
/// Fashion-MNIST (Zalando Research, MIT licence): 28×28 grayscale images of 10 kinds of clothing, as Keras's
/// <c>fashion_mnist.load_data()</c> but channels-first and float: images <c>N×1×28×28</c> float32 in 0–255, labels
/// int64. <see cref="Load"/> reads the full set (60,000 + 10,000) from a folder of IDX files, by default where
/// Debian's <c>dataset-fashion-mnist</c> puts them; <see cref="LoadSample"/> reads the class-balanced sample of
/// 1,000 + 1,000 images that ships inside Tanuki. Deconstructs like Keras's pair of pairs:
/// <c>var ((xTrain, yTrain), (xTest, yTest)) = FashionMnist.LoadSample();</c>
/// </summary>
public sealed class FashionMnist : IDisposable
{
    /// <summary>Where Debian's and Ubuntu's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DebianFolder = "/usr/share/datasets/fashion-mnist";

    private const string ResourcePrefix = "Tanuki.FashionMnistSample.";

    private FashionMnist((Tensor, Tensor) train, (Tensor, Tensor) test)
    {
        Train = train;
        Test = test;
    }

    /// <summary>The class names by label: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The training images <c>N×1×28×28</c> (float32, 0–255) and labels <c>N</c> (int64).</summary>
    public (Tensor X, Tensor Y) Train { get; }

    /// <summary>The test images and labels.</summary>
    public (Tensor X, Tensor Y) Test { get; }

    /// <summary>Deconstructs into <c>((xTrain, yTrain), (xTest, yTest))</c>.</summary>
    public void Deconstruct(out (Tensor X, Tensor Y) train, out (Tensor X, Tensor Y) test)
    {
        train = Train;
        test = Test;
    }

    /// <summary>The training samples as a dataset with the class names (batch it before <c>Fit</c>).</summary>
    public Dataset TrainDataset() => Dataset.FromTensors(Train.X, Train.Y, ClassNames);

    /// <summary>The test samples as a dataset with the class names.</summary>
    public Dataset TestDataset() => Dataset.FromTensors(Test.X, Test.Y, ClassNames);

    /// <summary>
    /// Reads the four IDX files (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
    /// <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each gzip-compressed (<c>.gz</c>) or plain).
    /// </summary>
    /// <param name="folder">The folder holding them; <see cref="DebianFolder"/> when null.</param>
    /// <exception cref="FileNotFoundException">A file is missing; the message says how to get them.</exception>
    public static FashionMnist Load(string? folder = null)
    {
        folder ??= DebianFolder;
        Stream Open(string name)
        {
            foreach (string candidate in new[] { name, name.Replace("-idx", ".idx") })
                foreach (string path in new[] { candidate + ".gz", candidate })
                    if (File.Exists(Path.Combine(folder, path))) return File.OpenRead(Path.Combine(folder, path));
            throw new FileNotFoundException(
                $"Fashion-MNIST file '{name}' (or '{name}.gz') not found in '{folder}'. " +
                (folder == DebianFolder
                    ? "Install it with 'sudo apt-get install dataset-fashion-mnist' (Debian, Ubuntu), or pass the folder holding the four IDX files. "
                    : "Pass the folder holding the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, .gz or not). ") +
                "FashionMnist.LoadSample() reads the 1,000 + 1,000 image sample that ships with Tanuki.", Path.Combine(folder, name));
        }
        return Read(Open, folder);
    }

    /// <summary>
    /// The sample that ships inside Tanuki (embedded in its assembly, so it is found wherever Tanuki runs): for each
    /// class, its first 100 training and first 100 test images, 1,000 + 1,000 in all. Made from the full set by
    /// <c>tools/make_fashion_mnist_sample.py</c>; also in the repository's <c>data/fashion-mnist-sample</c>.
    /// </summary>
    public static FashionMnist LoadSample()
    {
        var assembly = typeof(FashionMnist).Assembly;
        Stream Open(string name) => assembly.GetManifestResourceStream(ResourcePrefix + name + ".gz")
            ?? throw new InvalidOperationException($"The Fashion-MNIST sample '{name}.gz' is missing from {assembly.GetName().Name}.dll; the build that made it did not embed data/fashion-mnist-sample.");
        return Read(Open, "the embedded sample");
    }

    private static FashionMnist Read(Func<string, Stream> open, string where)
    {
        Backend.EnsureInitialized();
        var train = ReadPair(open, "train", where);
        var test = ReadPair(open, "t10k", where);
        return new FashionMnist(train, test);
    }

    private static (Tensor, Tensor) ReadPair(Func<string, Stream> open, string prefix, string where)
    {
        (int[] imageDims, byte[] pixels) = ReadIdx(open, $"{prefix}-images-idx3-ubyte", where);
        (int[] labelDims, byte[] labels) = ReadIdx(open, $"{prefix}-labels-idx1-ubyte", where);
        if (imageDims.Length != 3 || imageDims[1] != 28 || imageDims[2] != 28)
            throw new InvalidDataException($"{prefix}-images-idx3-ubyte in {where} holds images of shape {string.Join("×", imageDims)}; Fashion-MNIST images are N×28×28.");
        if (labelDims.Length != 1 || labelDims[0] != imageDims[0])
            throw new InvalidDataException($"{prefix} in {where}: {imageDims[0]} images but {string.Join("×", labelDims)} labels.");
        if (labels.Any(l => l > 9))
            throw new InvalidDataException($"{prefix}-labels-idx1-ubyte in {where} holds labels above 9; Fashion-MNIST has 10 classes.");
        using var scope = NewDisposeScope();
        Tensor x = torch.tensor(pixels, [imageDims[0], 1, 28, 28]).to_type(ScalarType.Float32);
        Tensor y = torch.tensor(labels, [labelDims[0]]).to_type(ScalarType.Int64);
        return scope.Detach(x, y);   // data, not a step's temporaries: they live as long as this object
    }

    private static (int[] Dims, byte[] Data) ReadIdx(Func<string, Stream> open, string name, string where)
    {
        using Stream stream = open(name);
        return IdxFile.Read(stream, $"{name} in {where}");
    }

    /// <summary>Frees the four tensors.</summary>
    public void Dispose()
    {
        Train.X.Dispose();
        Train.Y.Dispose();
        Test.X.Dispose();
        Test.Y.Dispose();
    }
}
