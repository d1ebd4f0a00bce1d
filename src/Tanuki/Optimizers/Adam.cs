using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Optimizers;

/// <summary>
/// Adam, in Keras's form: <c>alpha = lr · sqrt(1 − β2^t) / (1 − β1^t)</c>,
/// <c>var −= alpha · m / (sqrt(v) + ε)</c> (ε is the paper's "epsilon hat"). The step count <c>t</c> is kept per
/// variable, so a layer unfrozen later starts with properly bias-corrected steps.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Creates the optimizer (Keras defaults: lr 1e-3, β1 0.9, β2 0.999, ε 1e-7).</summary>
    public Adam(double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, bool amsgrad = false,
                double? weightDecay = null, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null)
        : this("adam", learningRate, beta1, beta2, epsilon, amsgrad, weightDecay, clipNorm, clipValue, globalClipNorm) { }

    /// <summary>For AdamW.</summary>
    private protected Adam(string name, double learningRate, double beta1, double beta2, double epsilon, bool amsgrad,
                           double? weightDecay, double? clipNorm, double? clipValue, double? globalClipNorm)
        : base(name, learningRate, weightDecay, clipNorm, clipValue, globalClipNorm)
    {
        Beta1 = Guard.InRange(beta1, 0, 1);
        Beta2 = Guard.InRange(beta2, 0, 1);
        Epsilon = Guard.NonNegative(epsilon);
        Amsgrad = amsgrad;
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }
    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }
    /// <summary>Added to sqrt(v).</summary>
    public double Epsilon { get; }
    /// <summary>Whether the AMSGrad variant is used.</summary>
    public bool Amsgrad { get; }

    /// <inheritdoc />
    protected override Tensor[] CreateSlots(Variable variable) =>
        Amsgrad ? [zeros_like(variable.Value), zeros_like(variable.Value), zeros_like(variable.Value)] : [zeros_like(variable.Value), zeros_like(variable.Value)];

    /// <inheritdoc />
    protected override void UpdateStep(Tensor gradient, Tensor variable, Tensor[] slots, long step, double learningRate)
    {
        Tensor m = slots[0], v = slots[1];
        double alpha = learningRate * Math.Sqrt(1 - Math.Pow(Beta2, step)) / (1 - Math.Pow(Beta1, step));
        using Scalar beta2 = Beta2, oneMinusBeta2 = 1 - Beta2, epsilon = Epsilon, minusAlpha = -alpha;   // see Scalars
        m.lerp_(gradient, 1 - Beta1);   // a 0-d tensor weight, owned by the update's dispose scope
        v.mul_(beta2).addcmul_(gradient, gradient, value: oneMinusBeta2);
        Tensor denom = v;
        if (Amsgrad)
        {
            slots[2].copy_(torch.maximum(slots[2], v));
            denom = slots[2];
        }
        variable.addcdiv_(m, denom.sqrt().add_(epsilon, Scalars.One), value: minusAlpha);
    }
}
