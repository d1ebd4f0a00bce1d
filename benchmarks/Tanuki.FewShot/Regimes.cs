namespace Tanuki.FewShot;

/// <summary>How many training images each class gets.</summary>
internal enum RegimeKind
{
    /// <summary>n images of every class.</summary>
    Balanced,

    /// <summary>From 2n down to n/5 images per class: the largest class 10× the smallest.</summary>
    Imbalanced,

    /// <summary>Half of every class's images (rounded down), the rest for testing: the issue's user case.</summary>
    Split,
}

/// <summary>A training regime: its kind and images per class (unused for <see cref="RegimeKind.Split"/>).</summary>
internal sealed record Regime(RegimeKind Kind, int PerClass)
{
    /// <summary>"5/class balanced", "20/class imbalanced", "user 50/50".</summary>
    public string Name => Kind switch
    {
        RegimeKind.Split => "user 50/50",
        _ => $"{PerClass}/class {Kind.ToString().ToLowerInvariant()}",
    };
}

/// <summary>
/// What a regime takes from a data set: the training images of each class (0 for a class left out), or why it is
/// impossible.
/// </summary>
internal sealed record RegimePlan(Regime Regime, int[] Counts, string? Impossible)
{
    /// <summary>The classes the regime uses, in class order.</summary>
    public int[] Classes => Enumerable.Range(0, Counts.Length).Where(c => Counts[c] > 0).ToArray();
}

/// <summary>
/// The regimes' sampling, pure and seeded. A class takes part when it keeps <c>minimumTest</c> images beside its
/// training images (the photo set's test images are the rest of each class; Fashion-MNIST's test set is separate, so
/// there it is 0). Balanced: n per class, every class with at least n + minimumTest images. Imbalanced: the classes
/// sorted by how many images they have (most first; ties in class order), class k of C gets
/// max(1, round(2n·10^(−k/(C−1)))) — 2n down to n/5, so the mean stays near n — with C the most classes (taken in
/// that order) for which every class keeps its test images. A regime needs two classes; otherwise it is impossible
/// and says why. Draws are a seeded permutation of each class's images, training images first: the same seed gives
/// the same images, and a smaller regime's draw is a prefix of a larger one's.
/// </summary>
internal static class Regimes
{
    /// <summary>Training images per class for a regime over classes with <paramref name="available"/> images each.</summary>
    public static RegimePlan Plan(Regime regime, IReadOnlyList<int> available, int minimumTest)
    {
        ArgumentNullException.ThrowIfNull(available);
        if (available.Count < 2) throw new ArgumentException($"A regime needs at least 2 classes. Received: {available.Count}.", nameof(available));
        if (regime.Kind != RegimeKind.Split && regime.PerClass < 1)
            throw new ArgumentOutOfRangeException(nameof(regime), regime.PerClass, $"Expected at least 1 image per class. Received: {regime.PerClass}.");
        int[] counts = new int[available.Count];
        switch (regime.Kind)
        {
            case RegimeKind.Split:
                for (int c = 0; c < counts.Length; c++) counts[c] = available[c] >= 2 ? available[c] / 2 : 0;
                break;
            case RegimeKind.Balanced:
                for (int c = 0; c < counts.Length; c++) counts[c] = available[c] >= regime.PerClass + minimumTest ? regime.PerClass : 0;
                break;
            default:
                int[] order = Enumerable.Range(0, available.Count).OrderByDescending(c => available[c]).ToArray();
                for (int classes = order.Length; classes >= 2; classes--)
                {
                    int[] wanted = ImbalancedCounts(regime.PerClass, classes);
                    if (Enumerable.Range(0, classes).All(k => available[order[k]] >= wanted[k] + minimumTest))
                    {
                        for (int k = 0; k < classes; k++) counts[order[k]] = wanted[k];
                        break;
                    }
                }
                break;
        }
        int used = counts.Count(n => n > 0);
        if (used >= 2) return new RegimePlan(regime, counts, null);
        string need = regime.Kind switch
        {
            RegimeKind.Balanced => $"{regime.PerClass + minimumTest} images ({regime.PerClass} to train, {minimumTest} to test) in at least 2 classes",
            RegimeKind.Imbalanced => $"{ImbalancedCounts(regime.PerClass, 2)[0] + minimumTest} images in its largest class (2n to train, {minimumTest} to test) and its share in the others",
            _ => "2 images in at least 2 classes",
        };
        return new RegimePlan(regime, new int[available.Count], $"needs {need}; the classes have {string.Join(", ", available)}");
    }

    /// <summary>max(1, round(2n·10^(−k/(C−1)))) for k = 0 … C−1: from 2n down to 2n/10.</summary>
    public static int[] ImbalancedCounts(int perClass, int classes)
    {
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"Expected at least 2 classes. Received: {classes}.");
        return Enumerable.Range(0, classes)
            .Select(k => Math.Max(1, (int)Math.Round(2.0 * perClass * Math.Pow(10, -(double)k / (classes - 1)), MidpointRounding.AwayFromZero)))
            .ToArray();
    }

    /// <summary>
    /// The positions (0 … available−1) of each class's images in a seeded order, the regime's training images first:
    /// class c trains on the first <c>plan.Counts[c]</c> and the rest are its test images.
    /// </summary>
    public static int[][] Draw(RegimePlan plan, IReadOnlyList<int> available, int seed)
    {
        if (plan.Impossible is not null) throw new InvalidOperationException($"Regime {plan.Regime.Name} is impossible: {plan.Impossible}");
        if (available.Count != plan.Counts.Length)
            throw new ArgumentException($"The plan has {plan.Counts.Length} classes. Received: {available.Count}.", nameof(available));
        var orders = new int[available.Count][];
        for (int c = 0; c < available.Count; c++)
        {
            var random = new Random(unchecked(seed * 1_000_003 + c));
            int[] order = Enumerable.Range(0, available[c]).ToArray();
            for (int i = order.Length - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
            orders[c] = order;
        }
        return orders;
    }
}
