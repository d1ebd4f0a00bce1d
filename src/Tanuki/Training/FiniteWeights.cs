using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// Checks, after each training step, that every weight the step changed (the optimizer's updates and the moving
/// statistics) is still finite. The loss is checked before the update, but an update can itself overflow (a huge
/// learning rate) or the forward pass can put NaN into moving statistics: without this check the last step of a
/// run could leave NaN weights that a caller then saves (issue 16).
/// </summary>
internal sealed class FiniteWeights
{
    private readonly IReadOnlyList<Variable> _weights;
    private readonly long[] _versions;

    /// <summary>Watches <paramref name="weights"/> (all of the model's).</summary>
    public FiniteWeights(IReadOnlyList<Variable> weights)
    {
        _weights = weights;
        _versions = new long[weights.Count];
    }

    /// <summary>Remembers every weight's version: call at the start of a step.</summary>
    public void Snapshot()
    {
        for (int i = 0; i < _weights.Count; i++) _versions[i] = _weights[i].Version;
    }

    /// <summary>The first weight changed since <see cref="Snapshot"/> that holds a NaN or an infinity; null when all are finite.</summary>
    public (Variable Weight, string Kind)? FirstNonFinite()
    {
        var changed = new List<Variable>();
        for (int i = 0; i < _weights.Count; i++)
            if (_weights[i].Version != _versions[i]) changed.Add(_weights[i]);
        if (changed.Count == 0) return null;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // One pass over each weight and one synchronisation for all: a sum is finite when every element is (a sum of
        // finite values that overflows is a false alarm the exact search below clears). isfinite().all() costs ten
        // times as much: it writes a boolean per element first (measured 25 ms against 2.5 ms per ResNet-18 step).
        // The culprit is looked for only when a sum is not finite.
        if (torch.isfinite(torch.stack(changed.Select(v => v.Value.sum(type: ScalarType.Float32)).ToArray())).all().item<bool>()) return null;
        foreach (Variable v in changed)
        {
            if (torch.isfinite(v.Value).all().item<bool>()) continue;
            return (v, torch.isnan(v.Value).any().item<bool>() ? "NaN" : "infinite");
        }
        return null;
    }
}
