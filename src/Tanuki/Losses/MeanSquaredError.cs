using static TorchSharp.torch;

namespace Tanuki.Losses;

/// <summary>Mean of the squared differences over the last axis, then over the batch.</summary>
public sealed class MeanSquaredError : Loss
{
    /// <summary>Creates the loss.</summary>
    public MeanSquaredError() : base("mean_squared_error") { }

    /// <inheritdoc />
    protected override Tensor PerSample(Tensor yTrue, Tensor yPred)
    {
        Tensor diff = yPred - MatchTargets(yTrue, yPred);
        return yPred.dim() == 1 ? diff.square() : diff.square().mean([-1]);
    }
}
