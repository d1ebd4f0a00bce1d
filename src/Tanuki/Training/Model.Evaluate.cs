using Tanuki.Data;
using Tanuki.Inference;
using static TorchSharp.torch;

namespace Tanuki;

public partial class Model
{
    /// <summary>The loss and metrics on in-memory data, in inference mode: <c>{"loss": ..., "accuracy": ...}</c>.</summary>
    public Dictionary<string, double> Evaluate(Tensor x, Tensor y, int batchSize = 32, int verbose = 1)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return Evaluate(new TensorBatches(x, y, batchSize, shuffle: false), verbose);
    }

    /// <summary>The loss and metrics on arrays, in inference mode.</summary>
    public Dictionary<string, double> Evaluate(Array x, Array y, int batchSize = 32, int verbose = 1) =>
        Evaluate(Arrays.ToTensor(x), Arrays.ToTensor(y), batchSize, verbose);

    /// <summary>
    /// The loss and metrics on a batched dataset, in inference mode, on the engine <see cref="Execution"/> chooses
    /// (ONNX Runtime where it measured faster; the same numbers to float rounding).
    /// </summary>
    public Dictionary<string, double> Evaluate(Dataset data, int verbose = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        EnsureCompiled("evaluating the model (Evaluate)");
        if (!data.IsBatched) throw new ArgumentException("Evaluate needs a batched Dataset: call .Batch(batchSize) on it first.", nameof(data));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var logs = EvaluateBatches(InferenceBatches(data, new InferencePass(this, first => ExpectedSamples(data, first))));
        if (verbose > 0)
            Console.WriteLine($"{clock.Elapsed.TotalSeconds:0}s" + string.Concat(logs.Select(kv => $" - {kv.Key}: {ProgressBar.Format(kv.Value)}")));
        return logs;
    }

    private static IEnumerable<(Func<DisposeScope, Tensor> Predict, Tensor Y)> InferenceBatches(Dataset data, InferencePass pass)
    {
        foreach (var (x, y) in data)
            yield return (scope => { scope.Attach(x); return pass.Run(x).to(Backend.Device); }, y);
    }

    /// <summary>Loss and metrics over batches given as (inference forward pass, targets).</summary>
    private Dictionary<string, double> EvaluateBatches(IEnumerable<(Func<DisposeScope, Tensor> Predict, Tensor Y)> batches)
    {
        var lossMean = new Metrics.Mean("loss");
        foreach (var m in Metrics) m.ResetState();
        int steps = 0;
        foreach (var (predict, y) in batches)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            scope.Attach(y);
            Tensor yd = y.to(Backend.Device);
            Tensor predictions = predict(scope);
            lossMean.UpdateState(Loss!.Call(yd, predictions).item<float>(), y.shape[0]);
            foreach (var m in Metrics) m.UpdateState(yd, predictions);
            steps++;
        }
        if (steps == 0) throw new ArgumentException("The evaluation data yielded no batches.");
        return CurrentLogs(lossMean);
    }
}
