namespace Tanuki;

/// <summary>
/// What a classifier says about one input: the most probable class (its index and, when the model knows them, its
/// name), that class's probability, and the probability of every class in the model's output order.
/// </summary>
/// <param name="ClassIndex">The most probable class: the index of the largest probability.</param>
/// <param name="ClassName">That class's name from <see cref="Model.ClassNames"/>; null when the model has none.</param>
/// <param name="Probability">The probability of <paramref name="ClassIndex"/>.</param>
/// <param name="Probabilities">The probability of each class, by index.</param>
public sealed record Prediction(int ClassIndex, string? ClassName, float Probability, IReadOnlyList<float> Probabilities)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{ClassName ?? $"class {ClassIndex}"} ({Probability.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)})";
}
