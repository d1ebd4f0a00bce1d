using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Optimizers;

/// <summary>Stochastic gradient descent with optional (Nesterov) momentum, Keras's form:
/// <c>m = momentum · m − lr · g; var += m</c>.</summary>
public sealed class SGD : Optimizer
{
    /// <summary>Creates the optimizer (Keras defaults: lr 0.01, no momentum).</summary>
    public SGD(double learningRate = 0.01, double momentum = 0, bool nesterov = false, double? weightDecay = null,
               double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null)
        : base("sgd", learningRate, weightDecay, clipNorm, clipValue, globalClipNorm)
    {
        Momentum = Guard.InRange(momentum, 0, 1);
        Nesterov = nesterov;
    }

    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc />
    protected override Tensor[] CreateSlots(Variable variable) => Momentum == 0 ? [] : [zeros_like(variable.Value)];

    /// <inheritdoc />
    protected override void UpdateStep(Tensor gradient, Tensor variable, Tensor[] slots, long step, double learningRate)
    {
        using Scalar minusLr = -learningRate, momentum = Momentum;   // see Scalars
        if (Momentum == 0) { variable.add_(gradient, alpha: minusLr); return; }
        Tensor m = slots[0];
        m.mul_(momentum).add_(gradient, alpha: minusLr);
        if (Nesterov) variable.add_(m, alpha: momentum).add_(gradient, alpha: minusLr);
        else variable.add_(m, Scalars.One);
    }
}
