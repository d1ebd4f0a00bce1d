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
    public Tensor Predict(Tensor x, int batchSize = 32, int verbose = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        Guard.Positive(batchSize);
        ThrowIfDisposed();
        return PredictBatches(Slices(x, batchSize), new InferencePass(this, x.shape[0]), verbose);
    }

    /// <summary>The model's outputs for an array of inputs.</summary>
    public Tensor Predict(Array x, int batchSize = 32, int verbose = 0) => Predict(Arrays.ToTensor(x), batchSize, verbose);

    /// <summary>The model's outputs for every batch of a dataset (targets are ignored), concatenated; a CPU tensor.</summary>
    public Tensor Predict(Dataset data, int verbose = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ThrowIfDisposed();
        if (!data.IsBatched) throw new ArgumentException("Predict needs a batched Dataset: call .Batch(batchSize) on it first.", nameof(data));
        return PredictBatches(InputsOnly(data), new InferencePass(this, first => ExpectedSamples(data, first)), verbose);
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

    private static Tensor PredictBatches(IEnumerable<Tensor> batches, InferencePass pass, int verbose)
    {
        var parts = new List<Tensor>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            foreach (Tensor xb in batches)
            {
                using var scope = NewDisposeScope();
                scope.Attach(xb);
                Tensor y = pass.Run(xb).cpu();
                parts.Add(scope.MoveToOuter(y.DetachFromDisposeScope()));
            }
            if (parts.Count == 0) throw new ArgumentException("Predict received no samples.");
            if (verbose > 0) Console.WriteLine($"{parts.Count}/{parts.Count} - {clock.Elapsed.TotalSeconds:0}s");
            return parts.Count == 1 ? parts[0] : torch.cat(parts, 0);
        }
        finally
        {
            if (parts.Count > 1) foreach (Tensor p in parts) p.Dispose();
        }
    }
}
