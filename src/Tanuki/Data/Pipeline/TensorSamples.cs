using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>
/// The samples of in-memory tensors, one element per index of the first dimension (<c>Dataset.FromTensors</c>).
/// Each element is a fresh copy, so a consumer may modify or dispose it without touching the source.
/// </summary>
internal sealed class TensorSamples : Dataset
{
    private readonly Tensor _x;
    private readonly Tensor _y;
    private readonly long[]? _indices;   // a subset (Split), in this order; all samples when null

    public TensorSamples(Tensor x, Tensor y, IReadOnlyList<string>? classNames, long[]? indices = null)
    {
        if (x.dim() == 0 || y.dim() == 0)
            throw new ArgumentException($"FromTensors needs tensors with a first (sample) dimension. Received: x of shape {Shapes.Format(x.shape)}, y of shape {Shapes.Format(y.shape)}.");
        if (x.shape[0] != y.shape[0])
            throw new ArgumentException($"x and y must have the same number of samples. Received: x has {x.shape[0]} samples (shape {Shapes.Format(x.shape)}), y has {y.shape[0]} (shape {Shapes.Format(y.shape)}).");
        _x = x;
        _y = y;
        _indices = indices;
        ClassNames = classNames;
    }

    public override long Cardinality => _indices?.LongLength ?? _x.shape[0];

    public override bool IsBatched => false;

    internal override bool SupportsFeatureCache => true;

    /// <summary>The samples at the given positions of this dataset, in that order.</summary>
    public TensorSamples Select(long[] positions) =>
        new(_x, _y, ClassNames, positions.Select(p => _indices is null ? p : _indices[p]).ToArray());

    public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator()
    {
        long n = Cardinality;
        for (long i = 0; i < n; i++)
        {
            long index = _indices is null ? i : _indices[i];
            (Tensor, Tensor) element;
            using (var scope = NewDisposeScope())
            {
                element = scope.Detach(_x[index].clone(), _y[index].clone());
            }
            yield return element;
        }
    }
}
