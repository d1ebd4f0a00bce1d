using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>The elements of a dataset at chosen positions (one side of <c>Split</c>), in the dataset's order.</summary>
internal sealed class SubsetDataset : Dataset
{
    private readonly Dataset _upstream;
    private readonly bool[] _keep;
    private readonly long _count;

    public SubsetDataset(Dataset upstream, bool[] keep)
    {
        _upstream = upstream;
        _keep = keep;
        _count = keep.LongCount(k => k);
        ClassNames = upstream.ClassNames;
    }

    public override long Cardinality => _count;

    public override bool IsBatched => _upstream.IsBatched;

    internal override bool IsOrderStable => _upstream.IsOrderStable;

    internal override bool SupportsFeatureCache => _upstream.SupportsFeatureCache && _upstream.IsOrderStable;

    internal override bool ShufflesEachPass => _upstream.ShufflesEachPass;

    public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator()
    {
        using var source = _upstream.GetEnumerator();
        long yielded = 0;
        for (long i = 0; yielded < _count && source.MoveNext(); i++)
        {
            if (i < _keep.LongLength && _keep[i])
            {
                yielded++;
                yield return source.Current;
            }
            else Element.Dispose(source.Current);
        }
    }
}
