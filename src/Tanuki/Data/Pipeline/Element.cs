using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>Helpers for the <c>(Inputs, Targets)</c> pairs that flow through a pipeline.</summary>
internal static class Element
{
    /// <summary>Disposes both tensors of an element (the same tensor twice is fine).</summary>
    public static void Dispose((Tensor Inputs, Tensor Targets) e)
    {
        e.Inputs?.Dispose();
        if (!ReferenceEquals(e.Inputs, e.Targets)) e.Targets?.Dispose();
    }

    public static void DisposeAll(IEnumerable<(Tensor Inputs, Tensor Targets)> elements)
    {
        foreach (var e in elements) Dispose(e);
    }

    /// <summary>
    /// Runs <paramref name="fn"/> on an element the caller owns and returns an element the caller owns: the inputs
    /// die with a dispose scope unless returned, results are detached from it (a tensor the function did not make
    /// — a captured constant — is handed out as a fresh handle, so that disposing it cannot break the function).
    /// </summary>
    public static (Tensor Inputs, Tensor Targets) Apply(Func<Tensor, Tensor, (Tensor, Tensor)> fn, (Tensor Inputs, Tensor Targets) e)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        scope.Attach(e.Inputs);
        scope.Attach(e.Targets);
        var (a, b) = fn(e.Inputs, e.Targets);
        if (a is null || b is null)
            throw new InvalidOperationException("The Map function returned a null tensor; it must return (inputs, targets).");
        return (Own(scope, a, e), Own(scope, b, e));
    }

    private static Tensor Own(DisposeScope scope, Tensor t, (Tensor Inputs, Tensor Targets) input)
    {
        bool ours = scope.Contains(t) || ReferenceEquals(t, input.Inputs) || ReferenceEquals(t, input.Targets);
        return ours ? t.DetachFromDisposeScope() : t.alias().DetachFromDisposeScope();
    }
}
