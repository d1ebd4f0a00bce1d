using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>
/// Applies a function to every element: on the consuming thread (0 workers), or on background workers that keep
/// up to a bounded number of elements ready, in order.
/// </summary>
internal sealed class MapDataset : Dataset
{
    private readonly Dataset _upstream;
    private readonly Func<Tensor, Tensor, (Tensor, Tensor)> _fn;
    private readonly int _workers;

    public MapDataset(Dataset upstream, Func<Tensor, Tensor, (Tensor, Tensor)> fn, int workers)
    {
        _upstream = upstream;
        _fn = fn;
        _workers = workers;
        ClassNames = upstream.ClassNames;
    }

    public override long Cardinality => _upstream.Cardinality;

    public override bool IsBatched => _upstream.IsBatched;

    internal override bool IsOrderStable => _upstream.IsOrderStable;

    internal override bool SupportsFeatureCache => false;  // the function may be random (augmentation)

    internal override bool ShufflesEachPass => _upstream.ShufflesEachPass;

    public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator()
    {
        if (_workers == 0) return Inline();
        return new BackgroundEnumerator<(Tensor, Tensor)>(
            _upstream.GetEnumerator, (e, _) => Element.Apply(_fn, e), Element.Dispose,
            _workers, capacity: 2 * _workers, stage: "Map");
    }

    private IEnumerator<(Tensor Inputs, Tensor Targets)> Inline()
    {
        long index = 0;
        using var source = _upstream.GetEnumerator();
        while (source.MoveNext())
        {
            (Tensor, Tensor) result;
            try
            {
                result = Element.Apply(_fn, source.Current);
            }
            catch (Exception e) when (e is not DatasetException)
            {
                throw new DatasetException($"Map failed on element {index}: {e.Message}", e);
            }
            index++;
            yield return result;
        }
    }
}
