using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Losses;

/// <summary>Binary cross-entropy for targets in {0, 1} (or in [0, 1]), averaged over the last axis (or <c>axis</c>).</summary>
public sealed class BinaryCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">Whether predictions are logits (no sigmoid applied) rather than probabilities.</param>
    /// <param name="labelSmoothing">Moves targets towards 0.5: <c>y · (1 − s) + 0.5 · s</c>.</param>
    /// <param name="axis">The axis the per-element losses are averaged over (the last by default).</param>
    /// <param name="reduction">How the weighted losses are reduced (see <see cref="Loss"/>); <c>"sum_over_batch_size"</c> by default.</param>
    /// <param name="name">The loss's name.</param>
    public BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0, int axis = -1,
                              string? reduction = "sum_over_batch_size", string name = "binary_crossentropy") : base(name, reduction)
    {
        FromLogits = fromLogits;
        LabelSmoothing = Guard.InRange(labelSmoothing, 0, 1);
        Axis = axis;
    }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <summary>Label smoothing factor.</summary>
    public double LabelSmoothing { get; }

    /// <summary>The axis the losses are averaged over.</summary>
    public int Axis { get; }

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
        return yPred.dim() == 1 ? l : l.mean([Canonical(Axis, yPred.dim(), Name)]);
    }
}
