namespace Tanuki;

/// <summary>One choice the fine-tuning recipe made by itself, for the log and the report.</summary>
/// <param name="Name">What was chosen ("head", "fine-tuning", ...).</param>
/// <param name="Value">The choice ("logistic regression, L2 = 0.01", "kept", ...).</param>
/// <param name="Reason">Why, with the numbers that decided it.</param>
public sealed record FineTuneChoice(string Name, string Value, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Value} — {Reason}";
}
