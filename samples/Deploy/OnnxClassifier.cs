using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Deploy;

/// <summary>
/// An exported Tanuki classifier in an ONNX Runtime session: the image size from the model's input, the class names
/// and whether the outputs are already probabilities from the file's metadata (<c>class_names</c>, <c>softmax_included</c>).
/// Thread-safe: ONNX Runtime runs concurrent requests on one session.
/// </summary>
public sealed class OnnxClassifier : IDisposable
{
    private readonly InferenceSession _session;
    private readonly bool _softmaxIncluded;

    /// <summary>Loads the model.</summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ArgumentException">The model does not take N×3×H×W images of a fixed size, or gives no 2-D scores.</exception>
    public OnnxClassifier(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No ONNX model at '{path}'. Export one with 'tanuki export MODEL --out {path}'.", path);
        _session = new InferenceSession(path);
        (InputName, NodeMetadata input) = _session.InputMetadata.Single();
        int[] dims = input.Dimensions;
        if (dims.Length != 4 || dims[1] != 3 || dims[2] <= 0 || dims[3] <= 0)
            throw new ArgumentException($"'{path}' takes input '{InputName}' of shape [{string.Join(", ", dims)}]; this service needs N×3×H×W RGB images of a fixed size.");
        (Height, Width) = (dims[2], dims[3]);
        int[] output = _session.OutputMetadata.Values.First().Dimensions;
        if (output.Length != 2 || output[1] <= 0)
            throw new ArgumentException($"'{path}' gives an output of shape [{string.Join(", ", output)}]; a classifier gives N×classes scores.");
        var metadata = _session.ModelMetadata.CustomMetadataMap;
        ClassNames = metadata.TryGetValue("class_names", out string? json)
            ? JsonSerializer.Deserialize<string[]>(json)!
            : Enumerable.Range(0, output[1]).Select(i => $"class {i}").ToArray();
        _softmaxIncluded = metadata.TryGetValue("softmax_included", out string? s) && s == "true";
    }

    /// <summary>The model's input name.</summary>
    public string InputName { get; }

    /// <summary>The image height the model takes.</summary>
    public int Height { get; }

    /// <summary>The image width the model takes.</summary>
    public int Width { get; }

    /// <summary>The class names by output index.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Every class's probability for an encoded image (JPEG, PNG, BMP, GIF, WebP).</summary>
    /// <exception cref="InvalidDataException">The bytes are not an image that can be decoded.</exception>
    public float[] Classify(byte[] encodedImage)
    {
        float[] pixels = ImageTensor.Decode(encodedImage, Height, Width);
        var input = new DenseTensor<float>(pixels, [1, 3, Height, Width]);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(InputName, input)]);
        float[] scores = results.First().AsEnumerable<float>().ToArray();
        return _softmaxIncluded ? scores : Softmax(scores);
    }

    private static float[] Softmax(float[] logits)
    {
        float max = logits.Max();
        double[] e = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = e.Sum();
        return e.Select(v => (float)(v / sum)).ToArray();
    }

    /// <summary>Releases the session.</summary>
    public void Dispose() => _session.Dispose();
}
