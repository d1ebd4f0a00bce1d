using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// Records operations for automatic differentiation, for custom training loops:
/// <code>
/// using var tape = new GradientTape();
/// Tensor loss = lossFn.Call(y, model.Call(x, training: true));
/// Tensor[] grads = tape.Gradient(loss, model.TrainableWeights);
/// optimizer.ApplyGradients(grads, model.TrainableWeights);
/// </code>
/// Gradient recording is on inside the tape's scope (even within <c>torch.no_grad()</c>).
/// </summary>
public sealed class GradientTape : IDisposable
{
    private readonly IDisposable _gradMode;
    private bool _used;

    /// <summary>Starts recording.</summary>
    /// <param name="persistent">Whether <see cref="Gradient(Tensor, IReadOnlyList{Variable})"/> may be called more than once.</param>
    public GradientTape(bool persistent = false)
    {
        Backend.EnsureInitialized();
        Persistent = persistent;
        _gradMode = torch.enable_grad();
    }

    /// <summary>Whether the tape can compute gradients more than once.</summary>
    public bool Persistent { get; }

    /// <summary>Makes gradients with respect to a plain tensor (an input, say) computable.</summary>
    public Tensor Watch(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensor.requires_grad) tensor.requires_grad_(true);
        return tensor;
    }

    /// <summary>Gradients of <paramref name="target"/> with respect to variables; zeros for a variable the target does not depend on.</summary>
    /// <exception cref="ArgumentException">A variable is frozen (not trainable): its gradient is not recorded.</exception>
    public Tensor[] Gradient(Tensor target, IReadOnlyList<Variable> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        foreach (Variable v in sources)
            if (!v.Value.requires_grad)
                throw new ArgumentException(
                    $"Variable '{v.Path}' is not trainable (frozen, or never trainable), so no gradient is recorded for it. Take gradients with respect to model.TrainableWeights.",
                    nameof(sources));
        return Gradient(target, sources.Select(v => v.Value).ToArray());
    }

    /// <summary>Gradients of <paramref name="target"/> with respect to tensors that require gradients.</summary>
    public Tensor[] Gradient(Tensor target, IReadOnlyList<Tensor> sources)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(sources);
        if (_used && !Persistent)
            throw new InvalidOperationException("A non-persistent GradientTape can only compute gradients once. Create it with persistent: true to call Gradient more than once.");
        _used = true;
        if (sources.Count == 0) return [];
        if (!target.requires_grad)
            return sources.Select(s => torch.zeros_like(s)).ToArray();
        IList<Tensor> grads = torch.autograd.grad([target], sources.ToList(), retain_graph: Persistent, allow_unused: true);
        var result = new Tensor[sources.Count];
        for (int i = 0; i < result.Length; i++)
            result[i] = grads[i] is null || grads[i].IsInvalid ? torch.zeros_like(sources[i]) : grads[i];
        return result;
    }

    /// <summary>Stops recording.</summary>
    public void Dispose() => _gradMode.Dispose();
}
