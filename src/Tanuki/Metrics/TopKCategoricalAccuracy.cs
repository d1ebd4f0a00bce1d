using static TorchSharp.torch;

namespace Tanuki.Metrics;

/// <summary>How often the target class (one-hot targets, or integer labels) is among the <c>k</c> highest predictions.</summary>
public sealed class TopKCategoricalAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    public TopKCategoricalAccuracy(int k = 5, string name = "top_k_categorical_accuracy") : base(name) => K = Guard.Positive(k);

    /// <summary>How many top predictions count.</summary>
    public int K { get; }

    /// <inheritdoc />
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        Tensor labels = yTrue.dim() == yPred.dim() && yTrue.shape[^1] == yPred.shape[^1] ? yTrue.argmax(-1) : yTrue.reshape(-1).to_type(ScalarType.Int64);
        int k = (int)Math.Min(K, yPred.shape[^1]);
        Tensor top = yPred.topk(k, -1).indexes;
        return top.eq(labels.unsqueeze(-1)).any(-1).logical_and_(FiniteRows(yPred)).to_type(ScalarType.Float32);
    }
}
