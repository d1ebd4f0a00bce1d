using static TorchSharp.torch;

namespace Tanuki.Metrics;

/// <summary>
/// <c>"accuracy"</c> as Keras resolves it at the first batch: binary when predictions have one column,
/// categorical when targets have the predictions' shape, sparse categorical when targets are labels.
/// </summary>
internal sealed class AutoAccuracy : Metric
{
    private Metric? _inner;

    public AutoAccuracy(string name) : base(name) { }

    public override void UpdateState(Tensor yTrue, Tensor yPred) => UpdateState(yTrue, yPred, null);

    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
    {
        _inner ??= Resolve(yTrue, yPred);
        _inner.UpdateState(yTrue, yPred, sampleWeight);
    }

    private Metric Resolve(Tensor yTrue, Tensor yPred)
    {
        if (yPred.dim() == 1 || yPred.shape[^1] == 1) return new BinaryAccuracy(name: Name);
        if (yTrue.dim() == yPred.dim() && yTrue.shape[^1] == yPred.shape[^1]) return new CategoricalAccuracy(Name);
        return new SparseCategoricalAccuracy(Name);
    }

    public override double Result() => _inner?.Result() ?? 0;

    public override void ResetState() => _inner?.ResetState();
}
