using static TorchSharp.torch;

namespace Tanuki.Losses;

/// <summary>Cross-entropy for one-hot (or soft) targets over the last axis.</summary>
public sealed class CategoricalCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">Whether predictions are logits (no softmax applied) rather than probabilities.</param>
    /// <param name="labelSmoothing">Moves targets towards uniform: <c>y · (1 − s) + s / classes</c>.</param>
    public CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0) : base("categorical_crossentropy")
    {
        FromLogits = fromLogits;
        LabelSmoothing = Guard.InRange(labelSmoothing, 0, 1);
    }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <summary>Label smoothing factor.</summary>
    public double LabelSmoothing { get; }

    /// <inheritdoc />
    protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
    {
        Tensor y = MatchTargets(yTrue, yPred);
        if (LabelSmoothing > 0) y = y * (1 - LabelSmoothing) + LabelSmoothing / yPred.shape[^1];
        Tensor logp = FromLogits
            ? yPred.log_softmax(-1)
            : (yPred / yPred.sum([-1], keepdim: true)).clamp(Epsilon, 1 - Epsilon).log();
        return -(y * logp).sum([-1]);
    }
}
