using Tanuki.Data;
using Tanuki.Inference;
using static TorchSharp.torch;

namespace Tanuki;

public partial class Model
{
    /// <summary>The loss and metrics on in-memory data, in inference mode: <c>{"loss": ..., "accuracy": ...}</c>.</summary>
    /// <param name="x">Inputs, batch dimension first.</param>
    /// <param name="y">Targets, one per input.</param>
    /// <param name="batchSize">Samples per step.</param>
    /// <param name="verbose">0 silent, otherwise one line with the results.</param>
    /// <param name="sampleWeight">A weight per sample (or per loss element) for the loss and the weighted metrics.</param>
    /// <param name="cancellationToken">Stops between batches with an <see cref="OperationCanceledException"/>.</param>
    public Dictionary<string, double> Evaluate(Tensor x, Tensor y, int batchSize = 32, int verbose = 1, Tensor? sampleWeight = null,
                                               CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        Tensor? w = sampleWeight is null ? null : SampleWeighting.CheckSampleWeight(sampleWeight, x.shape[0]);
        var (data, weighting) = Batches(x, y, w, null, batchSize, shuffle: false);
        return Evaluate(data, verbose, weighting, cancellationToken);
    }

    /// <summary>The loss and metrics on arrays, in inference mode.</summary>
    public Dictionary<string, double> Evaluate(Array x, Array y, int batchSize = 32, int verbose = 1, Tensor? sampleWeight = null,
                                               CancellationToken cancellationToken = default) =>
        Evaluate(Arrays.ToTensor(x), Arrays.ToTensor(y), batchSize, verbose, sampleWeight, cancellationToken);

    /// <summary>
    /// The loss and metrics on a batched dataset, in inference mode, on the engine <see cref="Execution"/> chooses
    /// (ONNX Runtime where it measured faster; the same numbers to float rounding).
    /// </summary>
    public Dictionary<string, double> Evaluate(Dataset data, int verbose = 1, CancellationToken cancellationToken = default) =>
        Evaluate(data, verbose, SampleWeighting.None, cancellationToken);

    private Dictionary<string, double> Evaluate(Dataset data, int verbose, SampleWeighting weighting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        EnsureCompiled("evaluating the model (Evaluate)");
        if (!data.IsBatched) throw new ArgumentException("Evaluate needs a batched Dataset: call .Batch(batchSize) on it first.", nameof(data));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var logs = EvaluateBatches(InferenceBatches(data), weighting, cancellationToken);
        if (verbose > 0)
            Console.WriteLine($"{clock.Elapsed.TotalSeconds:0}s" + string.Concat(logs.Select(kv => $" - {kv.Key}: {ProgressBar.Format(kv.Value)}")));
        return logs;
    }

    /// <summary>A dataset's batches as (inference forward pass, targets), the passes one <see cref="InferencePass"/> on the model's engine.</summary>
    private IEnumerable<(Func<DisposeScope, Tensor> Predict, Tensor Y)> InferenceBatches(Dataset data) =>
        InferenceBatches(data, new InferencePass(this, first => ExpectedSamples(data, first)));

    private static IEnumerable<(Func<DisposeScope, Tensor> Predict, Tensor Y)> InferenceBatches(Dataset data, InferencePass pass)
    {
        foreach (var (x, y) in data)
            yield return (scope => { scope.Attach(x); return pass.Run(x).to(Backend.Device); }, y);   // with TestTimeAugmentation, as Infer
    }

    /// <summary>Loss and metrics over batches given as (inference forward pass, targets).</summary>
    private Dictionary<string, double> EvaluateBatches(IEnumerable<(Func<DisposeScope, Tensor> Predict, Tensor Y)> batches, SampleWeighting weighting,
                                                       CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var lossMean = new Metrics.Mean("loss");
        foreach (var (_, m, _) in _metricKeys) m.ResetState();
        int steps = 0;
        long nonFinite = 0, samples = 0;
        foreach (var (predict, targets) in batches)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            scope.Attach(targets);
            (Tensor y, Tensor? w) = weighting.Resolve(targets);
            Tensor yd = y.to(Backend.Device);
            Tensor? wd = w?.to(Backend.Device);
            Tensor predictions = predict(scope);
            lossMean.UpdateState(Loss!.Call(yd, predictions, wd).item<float>(), y.shape[0]);
            UpdateMetrics(yd, predictions, wd);
            nonFinite += NonFiniteRows(predictions);
            samples += predictions.shape[0];
            steps++;
            cancellationToken.ThrowIfCancellationRequested();   // after the batch, before the next one is loaded
        }
        if (steps == 0) throw new ArgumentException("The evaluation data yielded no batches.");
        if (nonFinite > 0)
            Console.Error.WriteLine($"Warning: model '{Name}' predicted NaN or infinite values for {nonFinite} of {samples} samples; they count as wrong " +
                                    "in every accuracy. Its weights are probably not finite (training diverged): train again with a lower learning rate.");
        return CurrentLogs(lossMean);
    }

    /// <summary>How many predictions (rows) hold a NaN or an infinity.</summary>
    private static long NonFiniteRows(Tensor predictions) =>
        predictions.dim() == 0 ? (torch.isfinite(predictions).item<bool>() ? 0 : 1)
        : torch.isfinite(predictions).reshape(predictions.shape[0], -1).all(1).logical_not().sum().item<long>();
}
