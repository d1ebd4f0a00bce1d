using Tanuki.Data;
using static TorchSharp.torch;

namespace Tanuki.FineTuning;

/// <summary>
/// Labelled samples the recipe can address one by one: to deal them into stratified folds, hold some out, compute
/// their features view by view, and hand <c>Fit</c> batches of any subset. Image folders stay on disk (subsets are
/// lists of files); in-memory tensors are indexed; any other dataset is read once into memory.
/// Tensors it makes (subsets, a read-in dataset) are its own and are freed when it is disposed.
/// </summary>
internal abstract class SampleSet : IDisposable
{
    private readonly List<Tensor> _owned = [];

    /// <summary>Above this, a dataset that is neither an image folder nor tensors is too large to read into memory.</summary>
    internal const long MaterializeBudgetBytes = 4L << 30;

    protected SampleSet(int[] labels, IReadOnlyList<string>? classNames)
    {
        Labels = labels;
        ClassNames = classNames;
    }

    /// <summary>The class of each sample (from integer or one-hot targets).</summary>
    public int[] Labels { get; }

    /// <summary>Number of samples.</summary>
    public int Count => Labels.Length;

    /// <summary>Class names, when the data has them.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>Batches of the samples at <paramref name="indices"/>: reshuffled at each pass when <paramref name="shuffle"/>, else in order.</summary>
    public abstract Dataset Batches(int[] indices, int batchSize, bool shuffle, int seed);

    /// <summary>The samples' inputs at <paramref name="indices"/>, in order, in batches (for feature passes).</summary>
    public IEnumerable<Tensor> Inputs(int[] indices, int batchSize)
    {
        foreach (var (x, y) in Batches(indices, batchSize, shuffle: false, seed: 0))
        {
            y.Dispose();
            yield return x;
        }
    }

    /// <summary>Frees the tensors this set made.</summary>
    public void Dispose()
    {
        foreach (Tensor t in _owned) t.Dispose();
        _owned.Clear();
    }

    /// <summary>Keeps <paramref name="t"/> alive until <see cref="Dispose"/>.</summary>
    protected Tensor Own(Tensor t)
    {
        _owned.Add(t.DetachFromDisposeScope());
        return t;
    }

    /// <summary>All indices, 0 … Count − 1.</summary>
    public int[] All() => Enumerable.Range(0, Count).ToArray();

    /// <summary>The samples of a batched dataset, addressable by index.</summary>
    public static SampleSet From(Dataset data, int classes)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data switch
        {
            ImageDataset images => new FileSamples(images, classes),
            TensorBatches tb => new MemorySamples(tb.X, tb.Y, classes, data.ClassNames),
            _ => Materialize(data, classes),
        };
    }

    /// <summary>The samples of in-memory tensors.</summary>
    public static SampleSet From(Tensor x, Tensor y, int classes, IReadOnlyList<string>? classNames) => new MemorySamples(x, y, classes, classNames);

    private static SampleSet Materialize(Dataset data, int classes)
    {
        var xs = new List<Tensor>();
        var ys = new List<Tensor>();
        long bytes = 0;
        try
        {
            foreach (var (x, y) in data)
            {
                xs.Add(x);
                ys.Add(y);
                bytes += x.NumberOfElements * x.ElementSize;
                if (bytes > MaterializeBudgetBytes)
                    throw new InvalidOperationException(
                        $"The fine-tuning recipe addresses samples one by one, so it reads a dataset that is not an image folder or in-memory tensors into memory; this one passed {MaterializeBudgetBytes >> 30} GiB. " +
                        "Pass an ImageDataset (ImageDataset.FromDirectory) or tensors instead, or a smaller dataset.");
            }
            if (xs.Count == 0) throw new ArgumentException("The training data yielded no batches.", nameof(data));
            using var scope = NewDisposeScope();
            var set = new MemorySamples(torch.cat(xs, 0), torch.cat(ys, 0), classes, data.ClassNames);
            set.OwnSource();
            return set;
        }
        finally
        {
            foreach (Tensor t in xs.Concat(ys)) t.Dispose();
        }
    }

    /// <summary>Class indices from targets: integer labels <c>(N)</c> or <c>(N, 1)</c>, or one-hot rows <c>(N, classes)</c>.</summary>
    internal static int[] LabelsOf(Tensor y, int classes)
    {
        using var scope = NewDisposeScope();
        Tensor t = y.cpu();
        if (t.dim() == 2 && t.shape[1] > 1 && (t.shape[1] == classes || classes <= 0)) t = t.argmax(1);
        else if (t.dim() == 2 && t.shape[1] == 1) t = t.squeeze(1);
        if (t.dim() != 1)
            throw new ArgumentException($"The fine-tuning recipe trains classifiers: expected targets as class indices (N) or one-hot rows (N, {classes}). Received: targets of shape {Shapes.Format(y.shape)}");
        if (t.is_floating_point() && !t.eq(t.round()).all().item<bool>())
            throw new ArgumentException("The fine-tuning recipe trains classifiers: expected integer class indices, but the targets hold fractions.");
        long[] values = t.to_type(ScalarType.Int64).data<long>().ToArray();
        foreach (long v in values)
            if (v < 0 || (classes > 0 && v >= classes))
                throw new ArgumentException($"Expected class indices in [0, {classes}) for a model with {classes} outputs. Received: a target of {v}.");
        return values.Select(v => (int)v).ToArray();
    }

    private sealed class MemorySamples : SampleSet
    {
        private readonly Tensor _x;
        private readonly Tensor _y;

        public MemorySamples(Tensor x, Tensor y, int classes, IReadOnlyList<string>? classNames) : base(LabelsOf(y, classes), classNames)
        {
            if (x.shape[0] != y.shape[0])
                throw new ArgumentException($"x and y must have the same number of samples. Received: x has {x.shape[0]} (shape {Shapes.Format(x.shape)}), y has {y.shape[0]} (shape {Shapes.Format(y.shape)}).");
            _x = x;
            _y = y;
        }

        /// <summary>The source tensors were made for this set: free them with it.</summary>
        public void OwnSource()
        {
            Own(_x);
            Own(_y);
        }

        public override Dataset Batches(int[] indices, int batchSize, bool shuffle, int seed)
        {
            using var scope = NewDisposeScope();
            Tensor idx = torch.tensor(indices.Select(i => (long)i).ToArray());
            Tensor x = Own(_x.index_select(0, idx.to(_x.device))), y = Own(_y.index_select(0, idx.to(_y.device)));
            return new TensorBatches(x, y, batchSize, shuffle, ClassNames);
        }
    }

    private sealed class FileSamples(ImageDataset images, int classes) : SampleSet(Checked(images, classes), images.ClassNames)
    {
        public override Dataset Batches(int[] indices, int batchSize, bool shuffle, int seed) => images.Subset(indices, batchSize, shuffle, seed);

        private static int[] Checked(ImageDataset images, int classes)
        {
            int[] labels = images.Labels.ToArray();
            int max = labels.Length == 0 ? -1 : labels.Max();
            if (max >= classes)
                throw new ArgumentException($"The image folder has {images.ClassNames?.Count ?? max + 1} classes but the model has {classes} outputs: give the last Dense layer one unit per class.");
            return labels;
        }
    }
}
