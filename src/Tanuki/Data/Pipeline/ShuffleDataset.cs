using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>
/// tf.data's shuffle: a buffer of <c>bufferSize</c> elements; each output is a random element of the buffer, replaced
/// by the next input. A buffer at least as large as the dataset gives a uniform shuffle.
/// </summary>
internal sealed class ShuffleDataset : Dataset
{
    private readonly Dataset _upstream;
    private readonly int _bufferSize;
    private readonly int? _seed;
    private readonly bool _reshuffleEachIteration;
    private int _iteration;

    public ShuffleDataset(Dataset upstream, int bufferSize, int? seed, bool reshuffleEachIteration)
    {
        _upstream = upstream;
        _bufferSize = bufferSize;
        _seed = seed;
        _reshuffleEachIteration = reshuffleEachIteration;
        ClassNames = upstream.ClassNames;
    }

    public override long Cardinality => _upstream.Cardinality;

    public override bool IsBatched => _upstream.IsBatched;

    internal override bool IsOrderStable => !_reshuffleEachIteration && _seed is not null && _upstream.IsOrderStable;

    internal override bool SupportsFeatureCache => _upstream.SupportsFeatureCache;

    internal override bool ShufflesEachPass => _reshuffleEachIteration || _upstream.ShufflesEachPass;

    public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator()
    {
        int iteration = _reshuffleEachIteration ? Interlocked.Increment(ref _iteration) - 1 : 0;
        Random random = _seed is int s ? new Random(Seeds.Derive(s, iteration)) : new Random();
        var buffer = new List<(Tensor, Tensor)>(Math.Min(_bufferSize, 1 << 16));
        try
        {
            using (var source = _upstream.GetEnumerator())
            {
                while (source.MoveNext())
                {
                    if (buffer.Count < _bufferSize)
                    {
                        buffer.Add(source.Current);
                        continue;
                    }
                    int pick = random.Next(buffer.Count);
                    var chosen = buffer[pick];
                    buffer[pick] = source.Current;
                    yield return chosen;
                }
            }
            while (buffer.Count > 0)
            {
                int pick = random.Next(buffer.Count);
                var chosen = buffer[pick];
                buffer[pick] = buffer[^1];
                buffer.RemoveAt(buffer.Count - 1);
                yield return chosen;
            }
        }
        finally
        {
            Element.DisposeAll(buffer);   // an enumeration stopped early leaves its buffer to us
        }
    }
}
