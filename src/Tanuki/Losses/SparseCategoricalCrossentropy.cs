using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Losses;

/// <summary>Cross-entropy for integer class targets (shape <c>(N)</c> or <c>(N, 1)</c>) against per-class predictions.</summary>
public sealed class SparseCategoricalCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">Whether predictions are logits (no softmax applied) rather than probabilities.</param>
    public SparseCategoricalCrossentropy(bool fromLogits = false) : base("sparse_categorical_crossentropy")
    {
        FromLogits = fromLogits;
    }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <inheritdoc />
    protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
    {
        Tensor labels = Labels(yTrue, yPred);
        Tensor logp = FromLogits
            ? yPred.log_softmax(-1)
            : (yPred / yPred.sum([-1], keepdim: true)).clamp(Epsilon, 1 - Epsilon).log();
        return F.nll_loss(logp, labels, reduction: nn.Reduction.None);
    }

    internal static Tensor Labels(Tensor yTrue, Tensor yPred)
    {
        Tensor t = yTrue;
        if (t.dim() == yPred.dim() && t.shape[^1] == 1) t = t.squeeze(-1);
        if (t.dim() != yPred.dim() - 1)
            throw new ArgumentException(
                $"SparseCategoricalCrossentropy expects integer labels of shape (N) or (N, 1); received targets of shape {Shapes.Format(yTrue.shape)} for predictions of shape {Shapes.Format(yPred.shape)}." +
                (yTrue.shape.SequenceEqual(yPred.shape) ? " One-hot targets need CategoricalCrossentropy." : string.Empty));
        t = t.to_type(ScalarType.Int64);
        long classes = yPred.shape[^1];
        using (torch.no_grad())
        {
            long min = t.min().item<long>(), max = t.max().item<long>();
            if (min < 0 || max >= classes)
                throw new ArgumentException($"Received a label value of {(min < 0 ? min : max)}, which is outside the valid range of [0, {classes - 1}]. The model has {classes} outputs; check the labels or the size of the last Dense layer.");
        }
        return t;
    }
}
