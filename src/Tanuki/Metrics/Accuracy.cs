using static TorchSharp.torch;

namespace Tanuki.Metrics;

/// <summary>How often predictions equal targets exactly.</summary>
public sealed class Accuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    public Accuracy(string name = "accuracy") : base(name) { }

    /// <inheritdoc />
    protected override Tensor Values(Tensor yTrue, Tensor yPred) =>
        yTrue.to_type(yPred.dtype).reshape(yPred.shape).eq(yPred).to_type(ScalarType.Float32);
}
