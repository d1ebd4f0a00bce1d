using Tanuki.Data;
using Tanuki.Inference;
using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki;

public partial class Model
{
    /// <summary>
    /// Classifies one image file, loaded as <see cref="ImageDataset.LoadImage(string, Model)"/> loads it (the model's
    /// input size, <see cref="ImageResize"/> and channels); runs as <see cref="Predict(Tensor, int, int, CancellationToken)"/> does.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a readable image (the message names it).</exception>
    public Prediction Predict(string imagePath)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        return Predict([imagePath])[0];
    }

    /// <summary>Classifies image files, <paramref name="batchSize"/> at a time; one <see cref="Prediction"/> per path, in order.</summary>
    /// <exception cref="InvalidDataException">A file is not a readable image (the message names it); nothing is returned.</exception>
    public IReadOnlyList<Prediction> Predict(IEnumerable<string> imagePaths, int batchSize = 32, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(imagePaths);
        Guard.Positive(batchSize);
        ThrowIfDisposed();
        string[] paths = imagePaths.ToArray();
        if (paths.Length == 0) throw new ArgumentException("Predict received no image paths. Expected at least one.", nameof(imagePaths));
        if (Array.IndexOf(paths, null) is int at and >= 0) throw new ArgumentException($"Predict received a null image path at position {at}.", nameof(imagePaths));
        using Tensor outputs = PredictBatches(ImageBatches(paths, batchSize), new InferencePass(this, paths.Length), verbose: 0, cancellationToken);
        return Classify(outputs);
    }

    /// <summary>Classifies image files (see <see cref="Predict(IEnumerable{string}, int, CancellationToken)"/>).</summary>
    public IReadOnlyList<Prediction> Predict(string[] imagePaths, int batchSize = 32, CancellationToken cancellationToken = default) =>
        Predict((IEnumerable<string>)imagePaths, batchSize, cancellationToken);

    /// <summary>
    /// Classifies one encoded image (JPEG, PNG, BMP, GIF or WebP) read from <paramref name="image"/> to its end, loaded
    /// as <see cref="ImageDataset.LoadImage(Stream, Model)"/> loads it; the stream is not closed.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a readable image.</exception>
    public Prediction Predict(Stream image)
    {
        ArgumentNullException.ThrowIfNull(image);
        ThrowIfDisposed();
        using var scope = NewDisposeScope();
        Tensor x = ImageDataset.LoadImage(image, this).unsqueeze(0);
        using Tensor outputs = Predict(x);
        return Classify(outputs)[0];
    }

    /// <summary>
    /// Classifies inputs given as a flat array in row-major (C) order, as <see cref="Predict(Tensor, int, int, CancellationToken)"/> would
    /// the tensor of that <paramref name="shape"/>; one <see cref="Prediction"/> per sample. <paramref name="shape"/>
    /// includes the batch dimension; left out, it is the model's input shape with as many samples as
    /// <paramref name="data"/> holds.
    /// </summary>
    public IReadOnlyList<Prediction> Predict(float[] data, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        shape = shape.Length > 0 ? shape : SamplesOf(data.Length);
        long count = shape.Aggregate(1L, (a, b) => a * b);
        if (shape.Any(d => d <= 0) || count != data.Length)
            throw new ArgumentException($"Shape {Shapes.Format(shape)} holds {count} values, but data has {data.Length}. Expected a shape with positive dimensions whose product is data.Length.", nameof(shape));
        using var scope = NewDisposeScope();
        using Tensor outputs = Predict(torch.tensor(data, shape));
        return Classify(outputs);
    }

    /// <summary>
    /// Classifies inputs given as a flat array (see <see cref="Predict(float[], long[])"/>); the dimensions as integers,
    /// <c>model.Predict(data, 2, 3, 224, 224)</c>, or none.
    /// </summary>
    public IReadOnlyList<Prediction> Predict(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return Predict(data, shape.Select(d => (long)d).ToArray());
    }

    /// <summary>The shape of <paramref name="values"/> values as whole samples of the model's single input.</summary>
    private long[] SamplesOf(int values)
    {
        long[] input = Inputs.Count == 1 ? Inputs[0].Shape : [];
        long per = input.Skip(1).Aggregate(1L, (a, b) => a * b);
        if (input.Length == 0 || input.Skip(1).Any(d => d <= 0))
            throw new ArgumentException($"Model '{Name}' has no single input of fixed shape ({(input.Length == 0 ? "none" : Shapes.Format(input))}), so the shape of the data cannot be inferred. Pass the shape, e.g. Predict(data, 1, 3, 224, 224).", "shape");
        if (values == 0 || values % per != 0)
            throw new ArgumentException($"Model '{Name}' takes samples of {Shapes.Format(input)} ({per} values each), but data has {values} values, not a whole number of samples. Pass whole samples, or the shape.", "data");
        return [values / per, .. input.Skip(1)];
    }

    private IEnumerable<Tensor> ImageBatches(string[] paths, int batchSize)
    {
        for (int start = 0; start < paths.Length; start += batchSize)
        {
            Tensor batch;
            using (var scope = NewDisposeScope())
            {
                Tensor[] images = paths[start..Math.Min(paths.Length, start + batchSize)].Select(p => ImageDataset.LoadImage(p, this)).ToArray();
                batch = torch.stack(images).MoveToOuterDisposeScope();
            }
            yield return batch;
        }
    }

    /// <summary>
    /// Class probabilities from the model's outputs (N × classes): as they are after a softmax; after a sigmoid, each
    /// output is a class's probability on its own (one output: [1 − p, p]); raw outputs (logits) go through a softmax
    /// (one output: a sigmoid), as the losses with <c>fromLogits: true</c> read them.
    /// </summary>
    private IReadOnlyList<Prediction> Classify(Tensor outputs)
    {
        if (outputs.dim() != 2)
            throw new InvalidOperationException($"Model '{Name}' outputs shape {Shapes.Format(outputs.shape)}, not (N, classes), so its outputs are not class scores. Use Predict(Tensor) for its raw outputs.");
        using var scope = NewDisposeScope();
        Tensor y = outputs.to_type(ScalarType.Float32);
        string activation = OutputActivation(this);
        Tensor p = (activation, y.shape[1]) switch
        {
            ("softmax", _) => y,
            ("sigmoid", 1) => torch.cat([1 - y, y], 1),
            ("sigmoid", _) => y,
            (_, 1) => torch.cat([1 - y.sigmoid(), y.sigmoid()], 1),
            _ => y.softmax(1),
        };
        float[] values = p.contiguous().data<float>().ToArray();
        int k = (int)p.shape[1];
        var predictions = new Prediction[p.shape[0]];
        for (int i = 0; i < predictions.Length; i++)
        {
            float[] row = values[(i * k)..((i + 1) * k)];
            int best = 0;
            for (int c = 1; c < k; c++) if (row[c] > row[best]) best = c;
            string? name = ClassNames is { } names && best < names.Count ? names[best] : null;
            predictions[i] = new Prediction(best, name, row[best], row);
        }
        return predictions;
    }

    /// <summary>The activation that ends the model ("softmax", "sigmoid" or "linear"), found through nested models.</summary>
    private static string OutputActivation(Model model)
    {
        Layer? last = model.Outputs is [{ Node: { } node }] ? node.Layer : model.Layers.LastOrDefault();
        return last switch
        {
            Model inner => OutputActivation(inner),
            Softmax => "softmax",
            Activation a => a.Function.Name,
            Dense d => d.Activation.Name,
            Conv2D c => c.Activation.Name,
            _ => "linear",
        };
    }
}
