using static TorchSharp.torch;

namespace Tanuki.Losses;

/// <summary>Cross-entropy for one-hot (or soft) targets over the class axis (the last by default).</summary>
public sealed class CategoricalCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">Whether predictions are logits (no softmax applied) rather than probabilities.</param>
    /// <param name="labelSmoothing">Moves targets towards uniform: <c>y · (1 − s) + s / classes</c>.</param>
    /// <param name="axis">The class axis (the last by default; 1 for channels-first per-pixel predictions).</param>
    /// <param name="reduction">How the weighted losses are reduced (see <see cref="Loss"/>); <c>"sum_over_batch_size"</c> by default.</param>
    /// <param name="name">The loss's name.</param>
    public CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0, int axis = -1,
                                   string? reduction = "sum_over_batch_size", string name = "categorical_crossentropy") : base(name, reduction)
    {
        FromLogits = fromLogits;
        LabelSmoothing = Guard.InRange(labelSmoothing, 0, 1);
        Axis = axis;
    }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <summary>Label smoothing factor.</summary>
    public double LabelSmoothing { get; }

    /// <summary>The class axis.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
    {
        Tensor y = MatchTargets(yTrue, yPred);
        long axis = Canonical(Axis, yPred.dim(), Name);
        if (LabelSmoothing > 0) y = y * (1 - LabelSmoothing) + LabelSmoothing / yPred.shape[axis];
        Tensor logp = FromLogits
            ? yPred.log_softmax(axis)
            : (yPred / yPred.sum([axis], keepdim: true)).clamp(Epsilon, 1 - Epsilon).log();
        return -(y * logp).sum([axis]);
    }
}
