using static TorchSharp.torch;

namespace Tanuki.Metrics;

/// <summary>How often <c>yPred &gt; threshold</c> equals the binary target.</summary>
public sealed class BinaryAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="threshold">Decision threshold on predictions (use 0 for logits).</param>
    /// <param name="name">Log name.</param>
    public BinaryAccuracy(double threshold = 0.5, string name = "binary_accuracy") : base(name) => Threshold = threshold;

    /// <summary>Decision threshold.</summary>
    public double Threshold { get; }

    /// <inheritdoc />
    protected override Tensor Values(Tensor yTrue, Tensor yPred) =>
        yPred.gt(Threshold).to_type(ScalarType.Float32).eq(yTrue.to_type(ScalarType.Float32).reshape(yPred.shape)).logical_and_(torch.isfinite(yPred)).to_type(ScalarType.Float32);
}
