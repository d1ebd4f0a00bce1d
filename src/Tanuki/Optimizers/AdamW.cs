namespace Tanuki.Optimizers;

/// <summary>Adam with decoupled weight decay (Keras default decay 0.004): <c>var −= var · wd · lr</c>, then Adam.</summary>
public sealed class AdamW : Adam
{
    /// <summary>Creates the optimizer (Keras defaults: lr 1e-3, weight decay 0.004, β1 0.9, β2 0.999, ε 1e-7).</summary>
    public AdamW(double learningRate = 1e-3, double weightDecay = 0.004, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7,
                 bool amsgrad = false, double? clipNorm = null, double? clipValue = null, double? globalClipNorm = null)
        : base("adamw", learningRate, beta1, beta2, epsilon, amsgrad, weightDecay, clipNorm, clipValue, globalClipNorm) { }
}
