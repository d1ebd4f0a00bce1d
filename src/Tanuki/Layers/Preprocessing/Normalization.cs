using Tanuki.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Shifts and scales inputs to zero mean and unit variance per index of <see cref="Axis"/> (axis 1: per channel of
/// N×C×H×W images or per feature of N×F): <c>(x − mean) / max(√variance, 1e-7)</c>, as Keras does.
/// <para>The statistics come either from the constructor (<c>mean</c>, <c>variance</c>: one value, or one per
/// index) or from <see cref="Adapt(Tensor)"/> on data. Adapted statistics are the non-trainable weights
/// <c>mean</c> and <c>variance</c>, so they are saved with the model; before adapting they are 0 and 1 (the
/// identity), as in Keras. With <c>invert</c> the layer undoes the normalization: <c>mean + x · √variance</c>.</para>
/// </summary>
public sealed class Normalization : Layer
{
    private const double Epsilon = 1e-7;     // Keras's backend.epsilon()
    private readonly double[]? _mean;
    private readonly double[]? _variance;
    private Tensor? _fixedMean;
    private Tensor? _fixedVariance;
    private long[]? _builtShape;

    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The axis with its own statistics per index (negative counts from the end); null for one
    /// mean and variance over everything.</param>
    /// <param name="mean">Fixed means (one value or one per index); give with <paramref name="variance"/>, or neither and call <c>Adapt</c>.</param>
    /// <param name="variance">Fixed variances, as <paramref name="mean"/>.</param>
    /// <param name="invert">Undo the normalization instead: <c>mean + x · √variance</c>.</param>
    /// <param name="name">Layer name.</param>
    public Normalization(int? axis = 1, double[]? mean = null, double[]? variance = null, bool invert = false, string? name = null)
        : base(name)
    {
        if (axis == 0)
            throw new ArgumentException($"Invalid argument for {LayerArgs.Who(this)}: the batch axis cannot be normalized per index. Received: axis=0", nameof(axis));
        if ((mean is null) != (variance is null))
            throw new ArgumentException($"Invalid argument for {LayerArgs.Who(this)}: give both mean and variance, or neither (and call Adapt). Received: mean={Describe(mean)}, variance={Describe(variance)}");
        if (mean is not null && (mean.Length != variance!.Length || mean.Length == 0))
            throw new ArgumentException($"Invalid argument for {LayerArgs.Who(this)}: mean and variance must have the same, non-zero length. Received: mean={Describe(mean)}, variance={Describe(variance)}");
        if (variance is not null && variance.Any(v => !(v >= 0)))
            throw new ArgumentException($"Invalid argument for {LayerArgs.Who(this)}: variances must be non-negative. Received: variance={Describe(variance)}", nameof(variance));
        Axis = axis;
        _mean = mean is null ? null : (double[])mean.Clone();
        _variance = variance is null ? null : (double[])variance.Clone();
        Invert = invert;
    }

    /// <summary>The axis with its own statistics per index; null for one mean and variance over everything.</summary>
    public int? Axis { get; }
    /// <summary>Whether the layer undoes the normalization.</summary>
    public bool Invert { get; }
    /// <summary>The adapted means (non-trainable weight <c>mean</c>); null with fixed statistics or before build.</summary>
    public Variable? Mean { get; private set; }
    /// <summary>The adapted variances (non-trainable weight <c>variance</c>); null with fixed statistics or before build.</summary>
    public Variable? Variance { get; private set; }

    private static string Describe(double[]? v) => v is null ? "null" : "[" + string.Join(", ", v) + "]";

    private int? ResolvedAxis(int rank) => Axis is int a ? (a < 0 ? rank + a : a) : null;

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        int? axis = ResolvedAxis(inputShape.Length);
        if (axis is int a && (a < 1 || a >= inputShape.Length || inputShape[a] <= 0))
            throw LayerArgs.Error(this, $"axis {Axis} must be a non-batch axis of known size. Received input shape {Shapes.Format(inputShape)}.");
        long size = axis is int k ? inputShape[k] : 1;
        long[] statShape = axis is null ? [] : [size];
        _builtShape = (long[])inputShape.Clone();
        if (_mean is null)
        {
            Mean = AddWeight("mean", statShape, Initializers.Zeros, trainable: false);
            Variance = AddWeight("variance", statShape, Initializers.Ones, trainable: false);
        }
        else
        {
            if (_mean.Length != 1 && _mean.Length != size)
                throw LayerArgs.Error(this, $"{_mean.Length} means and variances were given, but axis {Axis} of input shape {Shapes.Format(inputShape)} has {size} indices; give 1 or {size}.");
            _fixedMean = Constant(_mean, statShape);
            _fixedVariance = Constant(_variance!, statShape);
        }
        InputSpec = axis is int c ? new InputSpec(rank: inputShape.Length, axes: new Dictionary<int, long> { [c] = size }) : null;
    }

    private static Tensor Constant(double[] values, long[] shape)
    {
        using var scope = torch.NewDisposeScope();
        Tensor t = values.Length == 1 ? torch.full(shape, values[0], dtype: ScalarType.Float32) : torch.tensor(values, dtype: ScalarType.Float32);
        return t.to(Backend.Device).DetachFromDisposeScope();
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _fixedMean?.Dispose();
            _fixedVariance?.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        Tensor x = inputs.is_floating_point() ? inputs : inputs.to_type(ScalarType.Float32);
        var (mean, std) = Moments(x.shape);
        return Invert ? mean + x * std : (x - mean) / std;
    }

    /// <summary>
    /// The mean and the standard deviation (kept away from 0) the layer applies to inputs of <paramref name="shape"/>,
    /// shaped to broadcast against them. The ONNX exporter writes these as constants.
    /// </summary>
    internal (Tensor Mean, Tensor Std) Moments(long[] shape)
    {
        long[] broadcast = Enumerable.Repeat(1L, shape.Length).ToArray();
        if (ResolvedAxis(shape.Length) is int a) broadcast[a] = shape[a];
        Tensor mean = (Mean?.Value ?? _fixedMean!).reshape(broadcast);
        Tensor std = (Variance?.Value ?? _fixedVariance!).sqrt().clamp_min(Epsilon).reshape(broadcast);
        return (mean, std);
    }

    /// <summary>
    /// Sets the mean and variance to those of <paramref name="data"/> (a batch, N first), per index of <see cref="Axis"/>
    /// and over every other axis (the variance is the population one, as Keras and NumPy compute it). Builds the layer
    /// if needed.
    /// </summary>
    /// <exception cref="InvalidOperationException">The layer was given fixed statistics.</exception>
    /// <exception cref="ArgumentException">The data does not fit the shape the layer was built for.</exception>
    public void Adapt(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var stats = new RunningMoments();
        PrepareAdapt(data.shape);
        using (var scope = torch.NewDisposeScope()) stats.Add(this, data);
        stats.AssignTo(this);
    }

    /// <summary>Adapts to an array (as Keras takes a NumPy array); see <see cref="Adapt(Tensor)"/>.</summary>
    public void Adapt(Array data)
    {
        using var scope = torch.NewDisposeScope();
        Adapt(Arrays.ToTensor(data));
    }

    /// <summary>
    /// Adapts to the inputs of every element of <paramref name="data"/> (batches, or single samples when the dataset is
    /// not batched), combining per-batch statistics exactly; targets are ignored. See <see cref="Adapt(Tensor)"/>.
    /// </summary>
    public void Adapt(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var stats = new RunningMoments();
        foreach (var (inputs, targets) in data)
        {
            using var scope = torch.NewDisposeScope();
            scope.Attach(inputs);   // each element belongs to its consumer
            scope.Attach(targets);
            Tensor batch = data.IsBatched ? inputs : inputs.unsqueeze(0);
            PrepareAdapt(batch.shape);
            stats.Add(this, batch);
        }
        if (stats.Count == 0)
            throw LayerArgs.Error(this, "Adapt received a dataset with no elements; it needs at least one batch.");
        stats.AssignTo(this);
    }

    private void PrepareAdapt(long[] shape)
    {
        if (_mean is not null)
            throw new InvalidOperationException($"{LayerArgs.Who(this)} was given a fixed mean and variance; Adapt only works on a layer created without them.");
        if (!Built) Build(shape.Select((d, i) => i == 0 ? -1 : d).ToArray());
        int? axis = ResolvedAxis(shape.Length);
        if (shape.Length != _builtShape!.Length || (axis is int a && shape[a] != _builtShape[a]))
            throw LayerArgs.Error(this, $"the layer was built for input shape {Shapes.Format(_builtShape)}, but Adapt received data of shape {Shapes.Format(shape)}.");
    }

    /// <summary>Count, mean and sum of squared deviations, merged batch by batch (Chan et al.), in float64.</summary>
    private sealed class RunningMoments
    {
        private Tensor? _mean;
        private Tensor? _m2;

        public long Count { get; private set; }

        public void Add(Normalization layer, Tensor batch)
        {
            Tensor x = batch.to_type(ScalarType.Float64);
            int? axis = layer.ResolvedAxis((int)x.dim());
            long[] reduce = Enumerable.Range(0, (int)x.dim()).Where(d => d != axis).Select(d => (long)d).ToArray();
            long n = x.numel() / (axis is int a ? x.shape[a] : 1);
            if (n == 0) return;
            Tensor mean = x.mean(reduce);
            Tensor m2 = (x - x.mean(reduce, keepdim: true)).square().sum(reduce);
            if (_mean is null)
            {
                (_mean, _m2) = (mean.detach().clone().DetachFromDisposeScope(), m2.detach().clone().DetachFromDisposeScope());
            }
            else
            {
                long total = Count + n;
                Tensor delta = mean - _mean;
                Tensor newMean = _mean + delta * ((double)n / total);
                Tensor newM2 = _m2! + m2 + delta.square() * ((double)Count * n / total);
                _mean.Dispose();
                _m2!.Dispose();
                (_mean, _m2) = (newMean.DetachFromDisposeScope(), newM2.DetachFromDisposeScope());
            }
            Count += n;
        }

        public void AssignTo(Normalization layer)
        {
            if (_mean is null) throw LayerArgs.Error(layer, "Adapt received no values.");
            using var scope = torch.NewDisposeScope();
            layer.Mean!.Assign(_mean.to_type(ScalarType.Float32));
            layer.Variance!.Assign((_m2! / Count).to_type(ScalarType.Float32));
            _mean.Dispose();
            _m2!.Dispose();
        }
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        config["mean"] = _mean is null ? null : (double[])_mean.Clone();
        config["variance"] = _variance is null ? null : (double[])_variance.Clone();
        config["invert"] = Invert;
        return config;
    }
}
