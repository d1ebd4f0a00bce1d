using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Optimizers;

/// <summary>RMSprop, Keras's form: <c>v = ρ · v + (1 − ρ) · g²</c>, <c>var −= lr · g / sqrt(v + ε)</c>.</summary>
public sealed class RMSprop : Optimizer
{
    /// <summary>Creates the optimizer (Keras defaults: lr 1e-3, ρ 0.9, no momentum, ε 1e-7).</summary>
    public RMSprop(double learningRate = 1e-3, double rho = 0.9, double momentum = 0, double epsilon = 1e-7, bool centered = false,
                   double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null)
        : base("rmsprop", learningRate, weightDecay, clipNorm, clipValue, globalClipNorm)
    {
        Rho = Guard.InRange(rho, 0, 1);
        Momentum = Guard.InRange(momentum, 0, 1);
        Epsilon = Guard.NonNegative(epsilon);
        Centered = centered;
    }

    /// <summary>Decay of the squared-gradient average.</summary>
    public double Rho { get; }
    /// <summary>Momentum factor.</summary>
    public double Momentum { get; }
    /// <summary>Added under the square root.</summary>
    public double Epsilon { get; }
    /// <summary>Whether the variance (not the second moment) normalizes.</summary>
    public bool Centered { get; }

    /// <inheritdoc />
    protected override Tensor[] CreateSlots(Variable variable)
    {
        var slots = new List<Tensor> { zeros_like(variable.Value) };
        if (Momentum > 0) slots.Add(zeros_like(variable.Value));
        if (Centered) slots.Add(zeros_like(variable.Value));
        return slots.ToArray();
    }

    /// <inheritdoc />
    protected override void UpdateStep(Tensor gradient, Tensor variable, Tensor[] slots, long step, double learningRate)
    {
        using Scalar rho = Rho, oneMinusRho = 1 - Rho, epsilon = Epsilon, lr = learningRate, momentum = Momentum;   // see Scalars
        Tensor velocity = slots[0];
        velocity.mul_(rho).addcmul_(gradient, gradient, value: oneMinusRho);
        Tensor denominator;
        if (Centered)
        {
            Tensor avg = slots[^1];
            avg.mul_(rho).add_(gradient, alpha: oneMinusRho);
            denominator = (velocity - avg.square()).add_(epsilon, Scalars.One);
        }
        else denominator = velocity.add(epsilon, Scalars.One);
        Tensor increment = gradient.mul(lr).div_(denominator.sqrt());
        if (Momentum > 0)
        {
            slots[1].mul_(momentum).add_(increment, Scalars.One);
            variable.sub_(slots[1]);
        }
        else variable.sub_(increment);
    }
}
