using Tanuki.Data;
using Tanuki.Layers;
using Tanuki.Tests.Data;
using static TorchSharp.torch;

namespace Tanuki.Tests.Training;

/// <summary>
/// Issue 15: <c>Predict</c> for image files, streams and flat arrays, returning managed <see cref="Prediction"/>s. The
/// reference is the tensor path: <see cref="ImageDataset.LoadImage(string, Model)"/>, <c>Predict(Tensor)</c>, then the
/// softmax of its logits.
/// </summary>
public class PredictClassesTests
{
    private static Model Classifier(ActivationFunction? activation = null, int classes = 3)
    {
        torch.manual_seed(5);
        var model = new Sequential(new Input(3, 8, 8), new Conv2D(4, 3, activation: Activations.Relu), new Flatten(), new Dense(classes, activation: activation));
        model.ImageResize = ResizeMode.Pad;
        model.ClassNames = classes == 3 ? ["circle", "square", "stripes"] : null;
        return model;
    }

    /// <summary>Three images of other sizes than the model's (so resizing and padding happen), as PNG files.</summary>
    private static string[] Images(TempDirectory dir)
    {
        var random = new Random(2);
        return [.. new[] { (20, 12), (8, 8), (9, 30) }.Select((s, i) =>
        {
            byte[] rgba = ImageFiles.Pixels(s.Item1, s.Item2, (x, y) => ((byte)random.Next(256), (byte)(x * 10), (byte)(y * 7), 255));
            string path = dir.File($"{i}.png");
            File.WriteAllBytes(path, ImageFiles.PngRgb(s.Item1, s.Item2, rgba));
            return path;
        })];
    }

    private static float[,] Reference(Model model, string[] paths)
    {
        using var scope = NewDisposeScope();
        Tensor x = torch.stack(paths.Select(p => ImageDataset.LoadImage(p, model)).ToArray());
        Tensor p = model.Predict(x).softmax(1);
        var result = new float[paths.Length, p.shape[1]];
        float[] values = p.data<float>().ToArray();
        for (int i = 0; i < paths.Length; i++)
            for (int c = 0; c < p.shape[1]; c++) result[i, c] = values[i * p.shape[1] + c];
        return result;
    }

    private static void AssertMatches(float[,] expected, int row, Prediction actual, IReadOnlyList<string>? names)
    {
        int k = expected.GetLength(1);
        Assert.Equal(k, actual.Probabilities.Count);
        for (int c = 0; c < k; c++) Assert.Equal(expected[row, c], actual.Probabilities[c], 1e-6f);
        int best = Enumerable.Range(0, k).MaxBy(c => expected[row, c]);
        Assert.Equal(best, actual.ClassIndex);
        Assert.Equal(names?[best], actual.ClassName);
        Assert.Equal(expected[row, best], actual.Probability, 1e-6f);
    }

    [Fact]
    public void ImagePathsGiveTheTensorPathsProbabilities()
    {
        using var dir = new TempDirectory();
        Model model = Classifier();
        string[] paths = Images(dir);
        float[,] expected = Reference(model, paths);
        IReadOnlyList<Prediction> all = model.Predict(paths, batchSize: 2);        // two batches: 2 + 1
        Assert.Equal(3, all.Count);
        for (int i = 0; i < 3; i++)
        {
            AssertMatches(expected, i, all[i], model.ClassNames);
            AssertMatches(expected, i, model.Predict(paths[i]), model.ClassNames);
        }
        IReadOnlyList<Prediction> fromList = model.Predict(new List<string>(paths));
        Assert.Equal(all.Select(p => p.ClassIndex), fromList.Select(p => p.ClassIndex));
    }

    [Fact]
    public void AStreamGivesWhatItsFileGives()
    {
        using var dir = new TempDirectory();
        Model model = Classifier();
        string[] paths = Images(dir);
        float[,] expected = Reference(model, paths);
        for (int i = 0; i < paths.Length; i++)
        {
            using var stream = new MemoryStream(File.ReadAllBytes(paths[i]));
            AssertMatches(expected, i, model.Predict(stream), model.ClassNames);
            Assert.True(stream.CanRead);                                         // not closed: the caller owns it
        }
    }

    [Fact]
    public void AFlatArrayGivesWhatItsTensorGives()
    {
        Model model = Classifier();
        using var x = torch.rand(2, 3, 8, 8, generator: new Generator(7));
        float[] data = x.data<float>().ToArray();
        using Tensor logits = model.Predict(x);
        using Tensor expected = logits.softmax(1);
        float[] p = expected.data<float>().ToArray();
        long[] shape = [2, 3, 8, 8];
        foreach (IReadOnlyList<Prediction> got in new[] { model.Predict(data), model.Predict(data, 2, 3, 8, 8), model.Predict(data, shape) })
        {
            Assert.Equal(2, got.Count);
            for (int i = 0; i < 2; i++)
                for (int c = 0; c < 3; c++) Assert.Equal(p[i * 3 + c], got[i].Probabilities[c], 1e-6f);
        }
    }

    [Fact]
    public void ATwoDimensionalShapeWithIntLiteralsPicksTheArrayOverload()
    {
        torch.manual_seed(1);
        var model = new Sequential(new Input(4), new Dense(3));
        float[] data = [1, 2, 3, 4, -1, -2, -3, -4];
        using Tensor expected = model.Predict(torch.tensor(data, new long[] { 2, 4 })).softmax(1);
        IReadOnlyList<Prediction> got = model.Predict(data, 2, 4);
        Assert.Equal(expected[1].data<float>().ToArray(), got[1].Probabilities.ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
    }

    [Fact]
    public void OutputsThatAreProbabilitiesAlreadyAreNotSoftmaxedAgain()
    {
        using var x = torch.rand(2, 3, 8, 8, generator: new Generator(3));
        float[] data = x.data<float>().ToArray();

        Model softmax = Classifier(Activations.Softmax);
        using Tensor probs = softmax.Predict(x);
        float[] expected = probs.data<float>().ToArray();
        var got = softmax.Predict(data);
        for (int c = 0; c < 3; c++) Assert.Equal(expected[c], got[0].Probabilities[c], 1e-6f);

        Model sigmoid = Classifier(Activations.Sigmoid, classes: 1);              // one output: P(class 1)
        using Tensor one = sigmoid.Predict(x);
        float p1 = one.data<float>()[0];
        var binary = sigmoid.Predict(data)[0];
        Assert.Equal([1 - p1, p1], binary.Probabilities.ToArray(), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Null(binary.ClassName);                                             // the model has no class names

        Model logit = Classifier(classes: 1);                                      // one raw output: a logit
        using Tensor z = logit.Predict(x);
        float q = 1 / (1 + MathF.Exp(-z.data<float>()[0]));
        Assert.Equal(q, logit.Predict(data)[0].Probabilities[1], 1e-6f);
    }

    [Fact]
    public void BadInputIsRefusedWithWhatWasExpected()
    {
        using var dir = new TempDirectory();
        Model model = Classifier();
        string text = dir.File("notes.png");
        File.WriteAllText(text, "not an image");
        Assert.Contains("notes.png", Assert.Throws<InvalidDataException>(() => model.Predict(text)).Message);
        Assert.Contains("not an image", Assert.Throws<InvalidDataException>(() => model.Predict(new MemoryStream("hello"u8.ToArray()))).Message);
        Assert.Contains("empty", Assert.Throws<InvalidDataException>(() => model.Predict(new MemoryStream())).Message);
        Assert.Contains("whole number of samples", Assert.Throws<ArgumentException>(() => model.Predict(new float[100])).Message);
        Assert.Contains("holds 96 values, but data has 192", Assert.Throws<ArgumentException>(() => model.Predict(new float[192], 2, 3, 4, 4)).Message);
        Assert.Contains("no image paths", Assert.Throws<ArgumentException>(() => model.Predict(Array.Empty<string>())).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NoTensorOutlivesACall(bool insideAUserScope)
    {
        using var dir = new TempDirectory();
        string[] paths = Images(dir);
        Model model = Classifier();
        model.Predict(paths).ToArray();                                           // warm-up
        float[] flat = new float[2 * 3 * 8 * 8];
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (DisposeScope? scope = insideAUserScope ? NewDisposeScope() : null)
            for (int i = 0; i < 5; i++)
            {
                model.Predict(paths, batchSize: 2);
                model.Predict(paths[0]);
                using (var stream = File.OpenRead(paths[1])) model.Predict(stream);
                model.Predict(flat, 2, 3, 8, 8);
            }
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }
}
