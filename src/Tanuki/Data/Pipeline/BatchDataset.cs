using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>Stacks consecutive elements into batches (a new leading dimension), as tf.data's batch.</summary>
internal sealed class BatchDataset : Dataset
{
    private readonly Dataset _upstream;
    private readonly int _batchSize;
    private readonly bool _dropRemainder;

    public BatchDataset(Dataset upstream, int batchSize, bool dropRemainder)
    {
        _upstream = upstream;
        _batchSize = batchSize;
        _dropRemainder = dropRemainder;
        ClassNames = upstream.ClassNames;
    }

    public override long Cardinality
    {
        get
        {
            long n = _upstream.Cardinality;
            if (n < 0) return -1;
            return _dropRemainder ? n / _batchSize : (n + _batchSize - 1) / _batchSize;
        }
    }

    public override bool IsBatched => true;

    internal override bool IsOrderStable => _upstream.IsOrderStable;

    internal override bool SupportsFeatureCache => _upstream.SupportsFeatureCache;

    internal override bool ShufflesEachPass => _upstream.ShufflesEachPass;

    public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator()
    {
        var pending = new List<(Tensor Inputs, Tensor Targets)>(_batchSize);
        long index = 0;
        try
        {
            using var source = _upstream.GetEnumerator();
            while (source.MoveNext())
            {
                pending.Add(source.Current);
                if (pending.Count == _batchSize)
                {
                    var batch = Stack(pending, index);
                    index += pending.Count;
                    pending.Clear();
                    yield return batch;
                }
            }
            if (pending.Count > 0 && !_dropRemainder)
            {
                var batch = Stack(pending, index);
                pending.Clear();
                yield return batch;
            }
        }
        finally
        {
            Element.DisposeAll(pending);
        }
    }

    /// <summary>Stacks and disposes the samples; the message names the first sample whose shape differs.</summary>
    internal static (Tensor, Tensor) Stack(List<(Tensor Inputs, Tensor Targets)> samples, long firstIndex)
    {
        Check(samples, s => s.Inputs, "inputs", firstIndex);
        Check(samples, s => s.Targets, "targets", firstIndex);
        using var scope = NewDisposeScope();
        var result = scope.Detach(torch.stack(samples.Select(s => s.Inputs)), torch.stack(samples.Select(s => s.Targets)));
        Element.DisposeAll(samples);
        return result;
    }

    private static void Check(List<(Tensor Inputs, Tensor Targets)> samples, Func<(Tensor Inputs, Tensor Targets), Tensor> part, string what, long firstIndex)
    {
        long[] shape = part(samples[0]).shape;
        for (int i = 1; i < samples.Count; i++)
        {
            Tensor t = part(samples[i]);
            if (!t.shape.SequenceEqual(shape) || t.dtype != part(samples[0]).dtype)
                throw new DatasetException(
                    $"Cannot batch elements whose {what} differ: element {firstIndex} has shape {Shapes.Format(shape)} ({part(samples[0]).dtype}), " +
                    $"element {firstIndex + i} has shape {Shapes.Format(t.shape)} ({t.dtype}). Make every element the same shape before Batch " +
                    "(ImageDataset.FromDirectory resizes images to imageSize; a Map can resize or crop).");
        }
    }
}
