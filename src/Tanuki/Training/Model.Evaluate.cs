using Tanuki.Data;
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

    /// <summary>The loss and metrics on a batched dataset, in inference mode.</summary>
    public Dictionary<string, double> Evaluate(Dataset data, int verbose = 1)
    {
        ArgumentNullException.ThrowIfNull(data);
        EnsureCompiled("evaluating the model (Evaluate)");
        if (!data.IsBatched) throw new ArgumentException("Evaluate needs a batched Dataset: call .Batch(batchSize) on it first.", nameof(data));
        var lossMean = new Metrics.Mean("loss");
        foreach (var m in Metrics) m.ResetState();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int steps = 0;
        foreach (var (xb, yb) in data)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            scope.Attach(xb);
            scope.Attach(yb);
            Tensor xd = xb.to(Backend.Device), yd = yb.to(Backend.Device);
            Tensor predictions = Call(xd, training: false);
            lossMean.UpdateState(Loss!.Call(yd, predictions).item<float>(), xb.shape[0]);
            foreach (var m in Metrics) m.UpdateState(yd, predictions);
            steps++;
        }
        if (steps == 0) throw new ArgumentException("The evaluation data yielded no batches.", nameof(data));
        var logs = CurrentLogs(lossMean);
        if (verbose > 0)
            Console.WriteLine($"{steps}/{steps} - {clock.Elapsed.TotalSeconds:0}s" + string.Concat(logs.Select(kv => $" - {kv.Key}: {ProgressBar.Format(kv.Value)}")));
        return logs;
    }
}
