using static TorchSharp.torch;

namespace Tanuki.Metrics;

/// <summary>How often the arg-max of the predictions equals an integer target.</summary>
public sealed class SparseCategoricalAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    public SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : base(name) { }

    /// <inheritdoc />
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        Tensor t = yTrue.dim() == yPred.dim() && yTrue.shape[^1] == 1 ? yTrue.squeeze(-1) : yTrue;
        return t.to_type(ScalarType.Int64).eq(yPred.argmax(-1)).logical_and_(MeanMetricWrapper.FiniteRows(yPred)).to_type(ScalarType.Float32);
    }
}
