using static TorchSharp.torch;

namespace Tanuki.Data;

public abstract partial class Dataset
{
    /// <summary>
    /// For <c>numParallelCalls</c> and <c>bufferSize</c>: let Tanuki choose (the processor count for workers, 2 for
    /// a prefetch buffer), as <c>tf.data.AUTOTUNE</c>.
    /// </summary>
    public const int Autotune = -1;

    /// <summary>
    /// Whether every enumeration yields the same elements in the same order (no reshuffling upstream); what
    /// <see cref="Split(double, int?)"/> needs so that its two sides never overlap.
    /// </summary>
    internal virtual bool IsOrderStable => true;

    /// <summary>
    /// Shuffles with a buffer, as tf.data: the buffer holds <paramref name="bufferSize"/> elements and each output is
    /// a random one of them. A buffer at least as large as the dataset shuffles uniformly; a smaller one only mixes
    /// neighbours (and holds that many elements in memory).
    /// </summary>
    /// <param name="bufferSize">Elements held in the buffer.</param>
    /// <param name="seed">Seed of the order (the same seed gives the same sequence of orders); random when null.</param>
    /// <param name="reshuffleEachIteration">Whether each enumeration (epoch) draws a new order.</param>
    public Dataset Shuffle(int bufferSize, int? seed = null, bool reshuffleEachIteration = true) =>
        new ShuffleDataset(this, Guard.Positive(bufferSize), seed, reshuffleEachIteration);

    /// <summary>
    /// Stacks consecutive elements into batches of <paramref name="batchSize"/> (a new leading dimension). Elements
    /// must all have the same shape. <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> take batched datasets.
    /// </summary>
    /// <param name="batchSize">Elements per batch.</param>
    /// <param name="dropRemainder">Drop a last, smaller batch.</param>
    public Dataset Batch(int batchSize, bool dropRemainder = false) => new BatchDataset(this, Guard.Positive(batchSize), dropRemainder);

    /// <summary>
    /// Applies <paramref name="fn"/> to every element: <c>ds.Map((x, y) =&gt; (augment.Call(x, training: true), y))</c>.
    /// The function runs without gradient recording; the element's tensors are disposed after it unless it returns
    /// them. With <paramref name="numParallelCalls"/> &gt; 0 it runs on that many background threads, which keep up to
    /// twice as many elements ready ahead of the consumer, in order; the function must then be thread-safe (Tanuki's
    /// layers are; with several threads a seeded random layer's draws may reach elements in a different order).
    /// </summary>
    /// <param name="fn">Makes the new (inputs, targets) from the old.</param>
    /// <param name="numParallelCalls">0 (default): run on the enumerating thread; n &gt; 0: n background workers;
    /// <see cref="Autotune"/>: one worker per processor.</param>
    public Dataset Map(Func<Tensor, Tensor, (Tensor Inputs, Tensor Targets)> fn, int numParallelCalls = 0)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return new MapDataset(this, fn, Workers(numParallelCalls));
    }

    /// <summary>Applies <paramref name="fn"/> to the inputs of every element and keeps the targets: <c>ds.Map(x =&gt; rescale.Call(x))</c>.</summary>
    /// <param name="fn">Makes the new inputs from the old.</param>
    /// <param name="numParallelCalls">As in <see cref="Map(Func{Tensor, Tensor, ValueTuple{Tensor, Tensor}}, int)"/>.</param>
    public Dataset Map(Func<Tensor, Tensor> fn, int numParallelCalls = 0)
    {
        ArgumentNullException.ThrowIfNull(fn);
        return new MapDataset(this, (x, y) => (fn(x), y), Workers(numParallelCalls));
    }

    /// <summary>
    /// Produces elements on a background thread, up to <paramref name="bufferSize"/> ahead of the consumer, so that
    /// the work before it (decoding, batching, augmenting) overlaps the training step. Put it last.
    /// </summary>
    /// <param name="bufferSize">Elements (batches, once batched) kept ready; <see cref="Autotune"/>: 2.</param>
    public Dataset Prefetch(int bufferSize = Autotune)
    {
        if (bufferSize == Autotune) bufferSize = 2;
        return new PrefetchDataset(this, Guard.Positive(bufferSize));
    }

    /// <summary>
    /// Keeps the elements of the first complete enumeration and replays them afterwards, without running the
    /// pipeline before it again (decoding, resizing). Put it after deterministic work and before random work
    /// (shuffling, augmentation). An enumeration stopped early caches nothing.
    /// </summary>
    /// <param name="filename">Null: in memory. A path: in that file (for data larger than memory); a file already
    /// there is read as it is — also by later runs of the program — so delete it when the data changes.</param>
    public Dataset Cache(string? filename = null) => new CacheDataset(this, filename);

    /// <summary>The first <paramref name="count"/> elements (all of them when there are fewer).</summary>
    public Dataset Take(long count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected a non-negative count. Received: count={count}");
        return new TakeSkipDataset(this, 0, count);
    }

    /// <summary>All elements but the first <paramref name="count"/>.</summary>
    public Dataset Skip(long count)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, $"Expected a non-negative count. Received: count={count}");
        return new TakeSkipDataset(this, count, -1);
    }

    private static int Workers(int numParallelCalls)
    {
        if (numParallelCalls == Autotune) return Environment.ProcessorCount;
        if (numParallelCalls < 0)
            throw new ArgumentOutOfRangeException(nameof(numParallelCalls), numParallelCalls,
                $"Expected 0 (run on the enumerating thread), a positive number of workers, or Dataset.Autotune. Received: numParallelCalls={numParallelCalls}");
        return numParallelCalls;
    }
}
