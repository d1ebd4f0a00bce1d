using System.Collections;
using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>
/// A lazy sequence of <c>(Inputs, Targets)</c> elements — single samples, or batches after <c>Batch</c> — that
/// <c>Fit</c>, <c>Evaluate</c>, <c>Predict</c> and <c>foreach</c> consume. Each element's tensors belong to the
/// consumer: <c>Fit</c> disposes them after the step; in your own loop dispose them, or let a dispose scope
/// include them.
/// </summary>
public abstract partial class Dataset : IEnumerable<(Tensor Inputs, Tensor Targets)>
{
    /// <summary>Class names by label index, when the data has them (image folders, Fashion-MNIST).</summary>
    public IReadOnlyList<string>? ClassNames { get; protected init; }

    /// <summary>The number of elements (batches, once batched); -1 when it cannot be known without reading.</summary>
    public abstract long Cardinality { get; }

    /// <summary>Whether elements are batches (have a leading batch dimension made by <c>Batch</c>).</summary>
    public abstract bool IsBatched { get; }

    /// <summary>
    /// Whether every pass yields the same samples with the same values (only their order may change), so the
    /// frozen-feature cache may compute a frozen prefix once per sample. False for pipelines with random maps.
    /// </summary>
    internal virtual bool SupportsFeatureCache => false;

    /// <summary>Whether each pass comes in a new random order (the cache then reshuffles its rows each epoch).</summary>
    internal virtual bool ShufflesEachPass => false;

    /// <summary>Enumerates the elements. Each enumeration may differ (shuffling reshuffles per pass).</summary>
    public abstract IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>
/// Batches of in-memory tensors, reshuffled at every pass (what <c>Fit(x, y)</c> trains on). Slices by index so
/// a batch costs one gather, not one tensor per sample.
/// </summary>
internal sealed class TensorBatches : Dataset
{
    private readonly Tensor _x;
    private readonly Tensor _y;
    private readonly int _batchSize;
    private readonly bool _shuffle;

    public TensorBatches(Tensor x, Tensor y, int batchSize, bool shuffle, IReadOnlyList<string>? classNames = null)
    {
        if (x.shape[0] != y.shape[0])
            throw new ArgumentException($"x and y have different numbers of samples: x has {x.shape[0]} (shape {Shapes.Format(x.shape)}), y has {y.shape[0]} (shape {Shapes.Format(y.shape)}).");
        _x = x;
        _y = y;
        _batchSize = Guard.Positive(batchSize);
        _shuffle = shuffle;
        ClassNames = classNames;
    }

    public long Samples => _x.shape[0];

    public Tensor X => _x;

    public Tensor Y => _y;

    public int BatchSize => _batchSize;

    public bool Shuffles => _shuffle;

    internal override bool SupportsFeatureCache => true;

    internal override bool ShufflesEachPass => _shuffle;

    public override long Cardinality => (Samples + _batchSize - 1) / _batchSize;

    public override bool IsBatched => true;

    internal override bool IsOrderStable => !_shuffle;

    public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator()
    {
        long n = Samples;
        Tensor? order = _shuffle ? torch.randperm(n, dtype: ScalarType.Int64).DetachFromDisposeScope() : null;
        try
        {
            for (long start = 0; start < n; start += _batchSize)
            {
                long end = Math.Min(n, start + _batchSize);
                (Tensor, Tensor) batch;
                using (var scope = NewDisposeScope())
                {
                    if (order is null) batch = (_x[TensorIndex.Slice(start, end)].clone(), _y[TensorIndex.Slice(start, end)].clone());
                    else
                    {
                        Tensor idx = order[TensorIndex.Slice(start, end)];
                        batch = (_x.index_select(0, idx.to(_x.device)), _y.index_select(0, idx.to(_y.device)));
                    }
                    batch = scope.Detach(batch.Item1, batch.Item2);
                }
                yield return batch;
            }
        }
        finally
        {
            order?.Dispose();
        }
    }
}
