using static TorchSharp.torch;

namespace Tanuki.Metrics;

/// <summary>How often the arg-max of the predictions equals the arg-max of one-hot targets.</summary>
public sealed class CategoricalAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    public CategoricalAccuracy(string name = "categorical_accuracy") : base(name) { }

    /// <inheritdoc />
    protected override Tensor Values(Tensor yTrue, Tensor yPred) =>
        yTrue.argmax(-1).eq(yPred.argmax(-1)).logical_and_(FiniteRows(yPred)).to_type(ScalarType.Float32);
}
