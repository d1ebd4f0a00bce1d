using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Losses;

/// <summary>Binary cross-entropy for targets in {0, 1} (or in [0, 1]), averaged over the last axis.</summary>
public sealed class BinaryCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">Whether predictions are logits (no sigmoid applied) rather than probabilities.</param>
    /// <param name="labelSmoothing">Moves targets towards 0.5: <c>y · (1 − s) + 0.5 · s</c>.</param>
    public BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0) : base("binary_crossentropy")
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
        if (LabelSmoothing > 0) y = y * (1 - LabelSmoothing) + 0.5 * LabelSmoothing;
        Tensor l;
        if (FromLogits) l = F.binary_cross_entropy_with_logits(yPred, y, reduction: nn.Reduction.None);
        else
        {
            Tensor p = yPred.clamp(Epsilon, 1 - Epsilon);
            l = -(y * p.log() + (1 - y) * (1 - p).log());
        }
        return yPred.dim() == 1 ? l : l.mean([-1]);
    }
}
