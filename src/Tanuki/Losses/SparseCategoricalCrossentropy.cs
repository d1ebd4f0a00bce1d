using static TorchSharp.torch;

namespace Tanuki.Losses;

/// <summary>
/// Cross-entropy for integer class targets against per-class predictions. Classes are on the last axis by default
/// (<c>(N, C)</c> predictions for <c>(N)</c> or <c>(N, 1)</c> labels, <c>(N, H, W, C)</c> for <c>(N, H, W)</c> per-pixel
/// labels); pass <c>axis: 1</c> for channels-first per-pixel predictions <c>(N, C, H, W)</c>.
/// </summary>
public sealed class SparseCategoricalCrossentropy : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">Whether predictions are logits (no softmax applied) rather than probabilities.</param>
    /// <param name="ignoreClass">A label whose elements count for nothing (a "void" class in segmentation, such as -1 or
    /// 255); the mean is over the other elements.</param>
    /// <param name="reduction">How the weighted losses are reduced (see <see cref="Loss"/>); <c>"sum_over_batch_size"</c> by default.</param>
    /// <param name="axis">The class axis of the predictions (the last by default).</param>
    /// <param name="name">The loss's name.</param>
    public SparseCategoricalCrossentropy(bool fromLogits = false, int? ignoreClass = null, string? reduction = "sum_over_batch_size",
                                         int axis = -1, string name = "sparse_categorical_crossentropy") : base(name, reduction)
    {
        FromLogits = fromLogits;
        IgnoreClass = ignoreClass;
        Axis = axis;
    }

    /// <summary>Whether predictions are logits.</summary>
    public bool FromLogits { get; }

    /// <summary>The label that is ignored, if any.</summary>
    public int? IgnoreClass { get; }

    /// <summary>The class axis of the predictions.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
    {
        int axis = Canonical(Axis, yPred.dim(), Name);
        Tensor labels = Labels(yTrue, yPred, axis, IgnoreClass);
        Tensor valid = IgnoreClass is int ignored ? labels.ne(ignored) : torch.ones_like(labels, ScalarType.Bool);
        Tensor index = IgnoreClass is null ? labels : torch.where(valid, labels, torch.zeros_like(labels));
        Tensor logp = FromLogits
            ? yPred.log_softmax(axis)
            : (yPred / yPred.sum([axis], keepdim: true)).clamp(Epsilon, 1 - Epsilon).log();
        Tensor loss = -logp.gather(axis, index.unsqueeze(axis)).squeeze(axis);
        return IgnoreClass is null ? loss : torch.where(valid, loss, torch.zeros_like(loss));
    }

    /// <inheritdoc />
    protected override Tensor? ValidMask(Tensor yTrue, Tensor yPred) =>
        IgnoreClass is int ignored ? Labels(yTrue, yPred, Canonical(Axis, yPred.dim(), Name), IgnoreClass).ne(ignored) : null;

    /// <summary>
    /// The labels as int64 of the predictions' shape without the class axis (a class axis of size 1 in the labels is
    /// dropped), checked to lie in [0, classes).
    /// </summary>
    internal static Tensor Labels(Tensor yTrue, Tensor yPred, int axis, int? ignoreClass = null)
    {
        Tensor t = yTrue;
        if (t.dim() == yPred.dim() && t.shape[axis] == 1) t = t.squeeze(axis);
        long[] expected = yPred.shape.Where((_, i) => i != axis).ToArray();
        if (!t.shape.SequenceEqual(expected))
            throw new ArgumentException(
                $"SparseCategoricalCrossentropy expects integer labels of the predictions' shape without the class axis (axis {axis}): " +
                $"{Shapes.Format(expected)} for predictions of shape {Shapes.Format(yPred.shape)}. Received: targets of shape {Shapes.Format(yTrue.shape)}." +
                (yTrue.shape.SequenceEqual(yPred.shape) ? " One-hot targets need CategoricalCrossentropy." : string.Empty) +
                (axis != 1 && yPred.dim() > 2 && t.shape.SequenceEqual(yPred.shape.Where((_, i) => i != 1))
                    ? " The labels fit channels-first predictions (N, C, H, W): pass axis: 1." : string.Empty));
        t = t.to_type(ScalarType.Int64);
        long classes = yPred.shape[axis];
        using (torch.no_grad())
        {
            Tensor counted = ignoreClass is int ignored ? t.masked_select(t.ne(ignored)) : t;
            if (counted.numel() > 0)
            {
                long min = counted.min().item<long>(), max = counted.max().item<long>();
                if (min < 0 || max >= classes)
                    throw new ArgumentException($"Received a label value of {(min < 0 ? min : max)}, which is outside the valid range of [0, {classes - 1}]. The model has {classes} outputs; check the labels or the size of the last Dense layer.");
            }
        }
        return t;
    }
}
