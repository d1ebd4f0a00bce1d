using static TorchSharp.torch;

namespace Tanuki.Metrics;

/// <summary>
/// A metric accumulated over batches: <see cref="UpdateState(Tensor, Tensor)"/> per batch, <see cref="Result"/> as a plain number,
/// <see cref="ResetState"/> at the start of each epoch or evaluation. Keras names are accepted where a metric is expected.
/// </summary>
public abstract class Metric
{
    /// <summary>Creates a metric with its log name.</summary>
    protected Metric(string name) => Name = name;

    /// <summary>The key of the metric in logs and History (<c>accuracy</c>, <c>val_accuracy</c>).</summary>
    public string Name { get; }

    /// <summary>Adds a batch.</summary>
    public abstract void UpdateState(Tensor yTrue, Tensor yPred);

    /// <summary>
    /// Adds a batch whose samples count with the given weights (a metric passed to <c>Compile</c> as a weighted metric
    /// gets Fit's sample and class weights this way). Null weights: <see cref="UpdateState(Tensor, Tensor)"/>.
    /// </summary>
    /// <exception cref="NotSupportedException">The metric cannot weigh samples.</exception>
    public virtual void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
    {
        if (sampleWeight is null) UpdateState(yTrue, yPred);
        else throw new NotSupportedException($"Metric '{Name}' ({GetType().Name}) does not take sample weights; pass it in Compile's metrics, not weightedMetrics.");
    }

    /// <summary>The value over every batch since the last reset.</summary>
    public abstract double Result();

    /// <summary>Forgets every batch.</summary>
    public abstract void ResetState();

    /// <summary>Looks a metric up by its Keras name. <c>accuracy</c>/<c>acc</c> picks binary, categorical or
    /// sparse categorical accuracy from the shapes of targets and predictions, as Keras does.</summary>
    public static Metric Get(string name) => name switch
    {
        "accuracy" or "acc" => new AutoAccuracy(name),
        "binary_accuracy" => new BinaryAccuracy(),
        "categorical_accuracy" => new CategoricalAccuracy(),
        "sparse_categorical_accuracy" => new SparseCategoricalAccuracy(),
        "top_k_categorical_accuracy" => new TopKCategoricalAccuracy(),
        "mse" or "mean_squared_error" => new ErrorMetric(name, squared: true),
        "mae" or "mean_absolute_error" => new ErrorMetric(name, squared: false),
        _ => throw new ArgumentException(
            $"Unknown metric \"{name}\". Expected one of: accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy, " +
            "mse (mean_squared_error), mae (mean_absolute_error).", nameof(name)),
    };

    /// <summary>Accepts Keras names where a metric is expected.</summary>
    public static implicit operator Metric(string name) => Get(name);
}

/// <summary>A metric that is the mean of a per-sample value over every sample seen.</summary>
public abstract class MeanMetricWrapper : Metric
{
    private double _total;
    private double _count;

    /// <summary>Creates the metric.</summary>
    protected MeanMetricWrapper(string name) : base(name) { }

    /// <summary>The per-sample values of a batch.</summary>
    protected abstract Tensor Values(Tensor yTrue, Tensor yPred);

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor v = Values(yTrue, yPred.detach()).to_type(ScalarType.Float64);
        _total += v.sum().item<double>();
        _count += v.numel();
    }

    /// <summary>
    /// Adds a batch with weights, as Keras's <c>Mean</c> does: each sample's values are averaged down to the weights'
    /// rank, and the result is the sum of weighted values over the sum of weights.
    /// </summary>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
    {
        if (sampleWeight is null)
        {
            UpdateState(yTrue, yPred);
            return;
        }
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor v = Values(yTrue, yPred.detach()).to_type(ScalarType.Float64);
        Tensor w = sampleWeight.to_type(ScalarType.Float64).to(v.device);
        (v, w) = Losses.LossReduction.SqueezeOrExpandToSameRank(v, w);
        if (v.dim() > w.dim()) v = v.mean(Enumerable.Range((int)w.dim(), (int)(v.dim() - w.dim())).Select(i => (long)i).ToArray());
        w = w.broadcast_to(v.shape);
        _total += (v * w).sum().item<double>();
        _count += w.sum().item<double>();
    }

    /// <inheritdoc />
    public override double Result() => _count == 0 ? 0 : _total / _count;

    /// <inheritdoc />
    public override void ResetState() { _total = 0; _count = 0; }

    /// <summary>
    /// Whether each prediction (row) is finite. A NaN or infinite prediction is never right: argmax would pick the
    /// first NaN (class 0 when all are NaN), and a model with NaN weights would score the share of class 0.
    /// </summary>
    internal static Tensor FiniteRows(Tensor yPred) => torch.isfinite(yPred).all(-1);
}

/// <summary>The weighted mean of scalar values (the <c>loss</c> entry of the logs, weighted by batch size).</summary>
public sealed class Mean : Metric
{
    private double _total;
    private double _weight;

    /// <summary>Creates the metric.</summary>
    public Mean(string name = "mean") : base(name) { }

    /// <summary>Adds a value with a weight.</summary>
    public void UpdateState(double value, double weight = 1)
    {
        _total += value * weight;
        _weight += weight;
    }

    /// <inheritdoc />
    public override void UpdateState(Tensor yTrue, Tensor yPred) => throw new NotSupportedException("Mean takes plain values: UpdateState(double, double).");

    /// <inheritdoc />
    public override double Result() => _weight == 0 ? 0 : _total / _weight;

    /// <inheritdoc />
    public override void ResetState() { _total = 0; _weight = 0; }
}
