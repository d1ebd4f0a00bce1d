namespace Tanuki.Saving;

/// <summary>
/// While a model is rebuilt from a file, caps the weights its layers may create near what the file holds: a
/// correct config creates exactly the weights stored beside it, so a corrupt one (a width of 10⁹, say) is caught
/// before it asks for gigabytes, instead of taking the process down.
/// </summary>
internal static class WeightBudget
{
    private static readonly AsyncLocal<Budget?> s_current = new();

    /// <summary>Limits the scalars weights may take until the returned object is disposed.</summary>
    public static IDisposable Limit(long scalars)
    {
        var budget = new Budget(scalars, s_current.Value);
        s_current.Value = budget;
        return budget;
    }

    /// <summary>
    /// Whether a model is being rebuilt from a file (inside <see cref="Limit"/>): every weight created now is overwritten
    /// by the file's, so an initializer that needs an outside file (ResNet-18's mean image) can skip reading it.
    /// </summary>
    public static bool Loading => s_current.Value is not null;

    /// <summary>Called by <c>Layer.AddWeight</c> before it allocates.</summary>
    public static void Take(Layer layer, string weight, long[] shape)
    {
        Budget? budget = s_current.Value;
        if (budget is null) return;
        long count;
        try { count = checked(shape.Aggregate(1L, (a, d) => a * Math.Max(d, 0))); }
        catch (OverflowException) { count = long.MaxValue; }
        if (count > budget.Remaining)
            throw new InvalidOperationException(
                $"layer '{layer.Name}' would create weight '{weight}' of shape {Shapes.Format(shape)}, far more than the weights stored in the file hold: the config does not match the weights.");
        budget.Remaining -= count;
    }

    private sealed class Budget(long remaining, Budget? outer) : IDisposable
    {
        public long Remaining { get; set; } = remaining;

        public void Dispose() => s_current.Value = outer;
    }
}
