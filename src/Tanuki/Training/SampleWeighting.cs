using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// How a batch's samples weigh in the loss and in weighted metrics: Keras's <c>class_weight</c> (a weight per class,
/// looked up from each sample's label) and <c>sample_weight</c> (a weight per sample, or per loss element).
/// <para>Per-sample weights travel with their samples through shuffling and the frozen-feature cache by a simple
/// device: the batches' targets are then sample indices, which <see cref="Resolve"/> turns into the real targets and
/// weights. Whatever reorders the batches reorders the indices with them.</para>
/// </summary>
internal sealed class SampleWeighting
{
    private readonly IReadOnlyDictionary<int, double>? _classWeight;
    private readonly Tensor? _targets;
    private readonly Tensor? _weights;

    private SampleWeighting(IReadOnlyDictionary<int, double>? classWeight, Tensor? targets, Tensor? weights)
    {
        _classWeight = classWeight;
        _targets = targets;
        _weights = weights;
    }

    /// <summary>Every sample weighs 1.</summary>
    public static SampleWeighting None { get; } = new(null, null, null);

    /// <summary>Class weights looked up from each batch's targets.</summary>
    public static SampleWeighting ForClasses(IReadOnlyDictionary<int, double>? classWeight) =>
        classWeight is null ? None : new(CheckClassWeight(classWeight), null, null);

    /// <summary>
    /// Weights for in-memory data whose batches carry sample indices as targets: the targets and per-sample weights are
    /// looked up by index (and multiplied by the class weights, if any).
    /// </summary>
    public static SampleWeighting ForIndexedSamples(Tensor targets, Tensor sampleWeight, IReadOnlyDictionary<int, double>? classWeight) =>
        new(classWeight is null ? null : CheckClassWeight(classWeight), targets, sampleWeight);

    /// <summary>Whether batch targets are sample indices to look up.</summary>
    public bool Indexed => _targets is not null;

    /// <summary>The real targets and the weights (null: all 1) of a batch whose targets are <paramref name="batchTargets"/>.</summary>
    public (Tensor Y, Tensor? Weight) Resolve(Tensor batchTargets)
    {
        Tensor y = batchTargets;
        Tensor? w = null;
        if (_targets is not null)
        {
            Tensor idx = batchTargets.to(_targets.device);
            y = _targets.index_select(0, idx);
            w = _weights!.index_select(0, idx.to(_weights.device));
        }
        if (_classWeight is not null)
        {
            Tensor cw = ClassWeights(y, _classWeight);
            w = w is null ? cw : cw.to(w.device).reshape([cw.shape[0], .. Enumerable.Repeat(1L, (int)Math.Max(0, w.dim() - 1))]) * w;
        }
        return (y, w);
    }

    /// <summary>Checks a per-sample weight tensor given to Fit or Evaluate against the number of samples.</summary>
    public static Tensor CheckSampleWeight(Tensor sampleWeight, long samples)
    {
        if (sampleWeight.dim() == 0 || sampleWeight.shape[0] != samples)
            throw new ArgumentException(
                $"sampleWeight must have one entry per sample: expected shape ({samples},), ({samples}, 1) or ({samples}, ...) for per-element weights. Received: sampleWeight.shape={Shapes.Format(sampleWeight.shape)}",
                nameof(sampleWeight));
        if (!sampleWeight.is_floating_point() && sampleWeight.dtype != ScalarType.Int64 && sampleWeight.dtype != ScalarType.Int32)
            throw new ArgumentException($"sampleWeight must hold numbers. Received: sampleWeight.dtype={sampleWeight.dtype}", nameof(sampleWeight));
        using (torch.no_grad())
        {
            if (!sampleWeight.to_type(ScalarType.Float64).isfinite().all().item<bool>())
                throw new ArgumentException("sampleWeight contains NaN or infinite values; every weight must be a finite number.", nameof(sampleWeight));
        }
        return sampleWeight.to_type(ScalarType.Float32);
    }

    private static IReadOnlyDictionary<int, double> CheckClassWeight(IReadOnlyDictionary<int, double> classWeight)
    {
        foreach (var (label, weight) in classWeight)
            if (!double.IsFinite(weight) || weight < 0)
                throw new ArgumentException($"classWeight must map class indices to finite, non-negative weights. Received: classWeight[{label}]={weight}", nameof(classWeight));
        return classWeight;
    }

    /// <summary>
    /// Keras's <c>class_weight_to_sample_weights</c>: one weight per sample, the weight of its class (1 for classes not in
    /// the map). Labels are <c>(N)</c> or <c>(N, 1)</c> class indices (rounded), or <c>(N, C)</c> one-hot rows (arg-max).
    /// </summary>
    internal static Tensor ClassWeights(Tensor y, IReadOnlyDictionary<int, double> classWeight)
    {
        Tensor labels = y;
        if (labels.dim() == 2) labels = labels.shape[1] == 1 ? labels.squeeze(1) : labels.argmax(1);
        if (labels.dim() != 1)
            throw new ArgumentException(
                $"classWeight needs one class per sample: targets of shape (N,), (N, 1) or one-hot (N, C). Received: targets of shape {Shapes.Format(y.shape)}. " +
                "For per-pixel or per-step targets, pass per-element weights as sampleWeight instead.", nameof(classWeight));
        if (labels.is_floating_point()) labels = labels.round();
        long[] classes = labels.to_type(ScalarType.Int64).cpu().data<long>().ToArray();
        float[] weights = classes.Select(c => c is >= int.MinValue and <= int.MaxValue && classWeight.TryGetValue((int)c, out double w) ? (float)w : 1f).ToArray();
        return torch.tensor(weights, device: y.device);
    }
}
