using Tanuki.Optimizers;

namespace Tanuki;

/// <summary>
/// Different learning rates for different parts of a model — a pretrained base at a tenth of the head's rate, or
/// rates rising from the input to the output as fastai's <c>slice(lo, hi)</c> — set through the optimizer's
/// per-weight multipliers, so schedules and ReduceLROnPlateau, which change <c>optimizer.LearningRate</c>, keep the
/// ratios. Multipliers are set on all of a group's weights, frozen ones included, so layers unfrozen later already
/// have their rate.
/// </summary>
/// <example><code>
/// var optimizer = new Adam(1e-4);
/// DiscriminativeLearningRates.Apply(optimizer, (baseModel, 0.1), (head, 1.0));   // base at 1e-5, head at 1e-4
/// model.Compile(optimizer, loss, metrics);
/// </code></example>
public static class DiscriminativeLearningRates
{
    /// <summary>
    /// Sets a learning-rate multiplier for each group's weights. Groups are applied in order, so for a weight in
    /// two groups (a layer and a model containing it) the later group wins.
    /// </summary>
    public static void Apply(Optimizer optimizer, params (Layer Layer, double Multiplier)[] groups)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(groups);
        foreach (var (layer, multiplier) in groups)
        {
            ArgumentNullException.ThrowIfNull(layer);
            if (!(multiplier >= 0) || double.IsInfinity(multiplier))
                throw new ArgumentOutOfRangeException(nameof(groups), multiplier, $"Expected a non-negative multiplier. Received: multiplier={multiplier} for layer '{layer.Name}'");
            optimizer.SetLearningRateMultiplier(layer.Weights, multiplier);
        }
    }

    /// <summary>
    /// Splits the layers holding weights of <paramref name="model"/> (in layer order, depth first) into
    /// <paramref name="groups"/> consecutive groups of nearly equal size, earlier groups nearer the input.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<Layer>> Split(Layer model, int groups)
    {
        ArgumentNullException.ThrowIfNull(model);
        Guard.Positive(groups);
        List<Layer> weighted = model.LeafLayers().Where(l => l.Weights.Count > 0).ToList();
        if (weighted.Count < groups)
            throw new ArgumentException($"Model '{model.Name}' has {weighted.Count} layers holding weights, fewer than groups={groups}.", nameof(groups));
        var result = new List<IReadOnlyList<Layer>>();
        for (int g = 0; g < groups; g++)
        {
            int start = weighted.Count * g / groups, end = weighted.Count * (g + 1) / groups;
            result.Add(weighted.GetRange(start, end - start));
        }
        return result;
    }

    /// <summary>
    /// fastai's <c>slice(lo, hi)</c>: splits <paramref name="model"/> into <paramref name="groups"/> groups
    /// (<see cref="Split"/>) whose rates rise geometrically from <paramref name="lowRate"/> (the group nearest the
    /// input) to <paramref name="highRate"/> (the last). Sets <c>optimizer.LearningRate</c> to the high rate and
    /// each group's multiplier to its share of it.
    /// </summary>
    /// <returns>Each group's learning rate.</returns>
    public static IReadOnlyList<double> Slice(Optimizer optimizer, Layer model, double lowRate, double highRate, int groups = 3)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!(lowRate > 0 && lowRate <= highRate) || double.IsInfinity(highRate))
            throw new ArgumentOutOfRangeException(nameof(lowRate), lowRate, $"Expected 0 < lowRate <= highRate. Received: lowRate={lowRate}, highRate={highRate}");
        IReadOnlyList<IReadOnlyList<Layer>> split = Split(model, groups);
        optimizer.LearningRate = highRate;
        var rates = new List<double>();
        for (int g = 0; g < groups; g++)
        {
            // fastai's even_mults: lo · (hi/lo)^(g/(n−1)); one group trains at the high rate.
            double rate = g == groups - 1 ? highRate : lowRate * Math.Pow(highRate / lowRate, g / (double)(groups - 1));
            rates.Add(rate);
            optimizer.SetLearningRateMultiplier(split[g].SelectMany(l => l.Weights), rate / highRate);
        }
        return rates;
    }
}
