using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Losses;

/// <summary>
/// Keras's weighting and reduction of per-element losses (<c>keras/src/losses/loss.py</c>): sample weights are brought to
/// the losses' rank, a mask becomes weights, and the weighted losses are summed and divided as the reduction says.
/// </summary>
internal static class LossReduction
{
    private static readonly string[] Allowed = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none"];

    /// <summary>The reduction, checked; "none" and null both mean no reduction (kept as null).</summary>
    public static string? Standardize(string? reduction)
    {
        if (reduction is null || reduction == "none") return null;
        if (!Allowed.Contains(reduction))
            throw new ArgumentException(
                $"Invalid value for argument `reduction`. Expected one of {{{string.Join(", ", Allowed.Select(a => $"\"{a}\""))}, null}}. Received: reduction=\"{reduction}\"",
                nameof(reduction));
        return reduction;
    }

    /// <summary>
    /// Keras's <c>squeeze_or_expand_to_same_rank</c>: when two ranks differ by one and the larger has a last axis of 1,
    /// that axis is dropped (or, if the smaller is rank 1, the smaller gains one).
    /// </summary>
    public static (Tensor, Tensor) SqueezeOrExpandToSameRank(Tensor x1, Tensor x2, bool expandRank1 = true)
    {
        long r1 = x1.dim(), r2 = x2.dim();
        if (r1 == r2 + 1 && x1.shape[^1] == 1)
        {
            if (r2 == 1 && expandRank1) x2 = x2.unsqueeze(-1);
            else x1 = x1.squeeze(-1);
        }
        if (r2 == r1 + 1 && x2.shape[^1] == 1)
        {
            if (r1 == 1 && expandRank1) x1 = x1.unsqueeze(-1);
            else x2 = x2.squeeze(-1);
        }
        return (x1, x2);
    }

    /// <summary>
    /// Merges a mask of valid elements into the sample weights (Keras's <c>apply_mask</c>): for the mean reductions the
    /// valid elements weigh <c>total / valid</c>, so the mean is over the valid ones; masked ones weigh 0.
    /// </summary>
    public static Tensor? ApplyMask(Tensor? sampleWeight, Tensor? mask, Tensor values, string? reduction)
    {
        if (mask is null) return sampleWeight;
        Tensor floatMask;
        if (reduction is "mean" or "sum_over_batch_size")
        {
            Tensor m = mask.to_type(values.dtype);
            Tensor valid = m.sum();
            Tensor share = torch.where(valid.eq(0), torch.zeros_like(valid), valid.clamp_min(1).reciprocal() * mask.numel());
            floatMask = m * share;
        }
        else floatMask = mask.to_type(values.dtype);
        if (sampleWeight is null) return floatMask;
        (Tensor f, Tensor w) = SqueezeOrExpandToSameRank(floatMask, sampleWeight.to_type(values.dtype).to(values.device));
        return w * f;
    }

    /// <summary>Weights <paramref name="values"/> by <paramref name="weight"/> and reduces them.</summary>
    public static Tensor Reduce(Tensor values, Tensor? weight, string? reduction, string loss)
    {
        if (weight is not null)
        {
            (values, weight) = Align(values, weight, loss);
            values = values * weight;
        }
        if (reduction is null || values.dim() == 0 || (values.dim() == 1 && values.shape[0] == 0)) return values;
        Tensor sum = values.sum();
        if (reduction == "sum") return sum;
        if (reduction == "mean_with_sample_weight" && weight is not null)
        {
            Tensor divisor = weight.sum();
            using Scalar zero = 0;   // Scalars made from numbers are disposed on the training step (see Scalars)
            // Keras's divide_no_nan, written so that its gradient has no NaN either.
            return sum / torch.where(divisor.eq(zero), torch.ones_like(divisor), divisor) * divisor.ne(zero);
        }
        using Scalar count = values.numel();
        return sum.div(count);
    }

    /// <summary>
    /// Brings weights to the losses' rank as Keras does; weights of lower rank whose shape is the losses' leading
    /// dimensions (one weight per sample for a loss per pixel) weigh every element of their sample.
    /// </summary>
    private static (Tensor, Tensor) Align(Tensor values, Tensor weight, string loss)
    {
        Tensor w = weight.to_type(values.dtype).to(values.device);
        (values, w) = SqueezeOrExpandToSameRank(values, w);
        if (w.dim() > 0 && w.dim() < values.dim() && w.shape.SequenceEqual(values.shape.Take((int)w.dim())))
            w = w.reshape([.. w.shape, .. Enumerable.Repeat(1L, (int)(values.dim() - w.dim()))]);
        long[]? shape = Broadcasting.Shape(values.shape, w.shape);
        if (shape is null || !shape.SequenceEqual(values.shape))
            throw new ArgumentException(
                $"{loss}: sampleWeight of shape {Shapes.Format(weight.shape)} cannot weight losses of shape {Shapes.Format(values.shape)}. " +
                $"Expected a scalar, one weight per sample ({values.shape.FirstOrDefault()},) or one weight per loss element {Shapes.Format(values.shape)}. Received: sampleWeight.shape={Shapes.Format(weight.shape)}");
        return (values, w);
    }
}
