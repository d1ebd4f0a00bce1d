using Tanuki.Data;
using Tanuki.Inference;
using static TorchSharp.torch;

namespace Tanuki;

public partial class Model
{
    /// <summary>
    /// The model's outputs for in-memory inputs, computed in batches in inference mode; a CPU tensor. Runs on the engine
    /// <see cref="Execution"/> chooses (ONNX Runtime where it measured faster; the same numbers to float rounding).
    /// </summary>
    /// <param name="x">Inputs, batch dimension first.</param>
    /// <param name="batchSize">Samples per forward pass.</param>
    /// <param name="verbose">0 silent, otherwise one line when done.</param>
    /// <param name="cancellationToken">Stops between batches with an <see cref="OperationCanceledException"/>.</param>
    public Tensor Predict(Tensor x, int batchSize = 32, int verbose = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        Guard.Positive(batchSize);
        ThrowIfDisposed();
        return PredictBatches(Slices(x, batchSize), new InferencePass(this, x.shape[0]), verbose, cancellationToken);
    }

    /// <summary>The model's outputs for an array of inputs.</summary>
    public Tensor Predict(Array x, int batchSize = 32, int verbose = 0, CancellationToken cancellationToken = default) =>
        Predict(Arrays.ToTensor(x), batchSize, verbose, cancellationToken);

    /// <summary>The model's outputs for every batch of a dataset (targets are ignored), concatenated; a CPU tensor.</summary>
    public Tensor Predict(Dataset data, int verbose = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ThrowIfDisposed();
        if (!data.IsBatched) throw new ArgumentException("Predict needs a batched Dataset: call .Batch(batchSize) on it first.", nameof(data));
        return PredictBatches(InputsOnly(data), new InferencePass(this, first => ExpectedSamples(data, first)), verbose, cancellationToken);
    }

    private static IEnumerable<Tensor> InputsOnly(Dataset data)
    {
        foreach (var (x, y) in data)
        {
            y.Dispose();
            yield return x;
        }
    }

    private static IEnumerable<Tensor> Slices(Tensor x, int batchSize)
    {
        for (long start = 0; start < x.shape[0]; start += batchSize)
            yield return x[TensorIndex.Slice(start, Math.Min(x.shape[0], start + batchSize))];
    }

    /// <summary>Samples a pass over <paramref name="data"/> will run, from its batches and the first batch's size (for the engine rule).</summary>
    internal static long ExpectedSamples(Dataset data, long firstBatch) => Math.Max(firstBatch, data.Cardinality * firstBatch);

    private static Tensor PredictBatches(IEnumerable<Tensor> batches, InferencePass pass, int verbose, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var parts = new List<Tensor>();
        Tensor? result = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            foreach (Tensor xb in batches)
            {
                using var scope = NewDisposeScope();
                scope.Attach(xb);
                Tensor y = pass.Run(xb).cpu();
                parts.Add(scope.MoveToOuter(y));   // into the caller's scope, if any: a single batch is returned as it is
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (parts.Count == 0) throw new ArgumentException("Predict received no samples.");
            if (verbose > 0) Console.WriteLine($"{parts.Count}/{parts.Count} - {clock.Elapsed.TotalSeconds:0}s");
            result = parts.Count == 1 ? parts[0] : torch.cat(parts, 0);
            return result;
        }
        finally
        {
            // Every batch's output but the one returned, also when a batch failed or the pass was cancelled.
            foreach (Tensor p in parts)
                if (!ReferenceEquals(p, result)) p.Dispose();
        }
    }
}
