using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>The elements from position <c>skip</c> on, at most <c>take</c> of them (-1: all).</summary>
internal sealed class TakeSkipDataset : Dataset
{
    private readonly Dataset _upstream;
    private readonly long _skip;
    private readonly long _take;

    public TakeSkipDataset(Dataset upstream, long skip, long take)
    {
        _upstream = upstream;
        _skip = skip;
        _take = take;
        ClassNames = upstream.ClassNames;
    }

    public override long Cardinality
    {
        get
        {
            long n = _upstream.Cardinality;
            if (n < 0) return _take == 0 ? 0 : -1;
            long rest = Math.Max(0, n - _skip);
            return _take < 0 ? rest : Math.Min(rest, _take);
        }
    }

    public override bool IsBatched => _upstream.IsBatched;

    internal override bool IsOrderStable => _upstream.IsOrderStable;

    internal override bool SupportsFeatureCache => _upstream.SupportsFeatureCache && _upstream.IsOrderStable;   // else each pass takes other samples

    internal override bool ShufflesEachPass => _upstream.ShufflesEachPass;

    public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator()
    {
        if (_take == 0) yield break;
        using var source = _upstream.GetEnumerator();
        for (long i = 0; i < _skip; i++)
        {
            if (!source.MoveNext()) yield break;
            Element.Dispose(source.Current);
        }
        for (long i = 0; _take < 0 || i < _take; i++)
        {
            if (!source.MoveNext()) yield break;
            yield return source.Current;
        }
    }
}
