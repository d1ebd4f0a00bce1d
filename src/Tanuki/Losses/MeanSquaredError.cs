using static TorchSharp.torch;

namespace Tanuki.Losses;

/// <summary>Mean of the squared differences over the last axis, then over the batch.</summary>
public sealed class MeanSquaredError : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="reduction">How the weighted losses are reduced (see <see cref="Loss"/>); <c>"sum_over_batch_size"</c> by default.</param>
    /// <param name="name">The loss's name.</param>
    public MeanSquaredError(string? reduction = "sum_over_batch_size", string name = "mean_squared_error") : base(name, reduction) { }

    /// <inheritdoc />
    protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
    {
        Tensor diff = yPred - MatchTargets(yTrue, yPred);
        return yPred.dim() == 1 ? diff.square() : diff.square().mean([-1]);
    }
}
