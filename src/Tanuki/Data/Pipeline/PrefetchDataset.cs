using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>Produces elements on a background thread, up to <c>bufferSize</c> ahead of the consumer.</summary>
internal sealed class PrefetchDataset : Dataset
{
    private readonly Dataset _upstream;
    private readonly int _bufferSize;

    public PrefetchDataset(Dataset upstream, int bufferSize)
    {
        _upstream = upstream;
        _bufferSize = bufferSize;
        ClassNames = upstream.ClassNames;
    }

    public override long Cardinality => _upstream.Cardinality;

    public override bool IsBatched => _upstream.IsBatched;

    internal override bool IsOrderStable => _upstream.IsOrderStable;

    internal override bool SupportsFeatureCache => _upstream.SupportsFeatureCache;

    internal override bool ShufflesEachPass => _upstream.ShufflesEachPass;

    public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator() =>
        new BackgroundEnumerator<(Tensor, Tensor)>(
            _upstream.GetEnumerator, (e, _) => e, Element.Dispose, workers: 0, capacity: _bufferSize, stage: "Prefetch");
}
