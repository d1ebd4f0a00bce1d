namespace Tanuki.FineTuning;

/// <summary>
/// Stratified, seeded partitions of labelled samples, as scikit-learn's <c>StratifiedKFold(shuffle=True)</c> and
/// <c>train_test_split(stratify=y)</c> make them: every fold (or side) gets each class in proportion, so that a
/// class with three images is not left out of training or of validation by chance. The same labels and seed always
/// give the same partition.
/// </summary>
public static class StratifiedFolds
{
    /// <summary>
    /// Assigns each sample to one of <paramref name="folds"/> folds: each class's samples are shuffled with the seed
    /// and dealt out in turn, continuing from where the previous class stopped, so fold sizes differ by at most one
    /// and each class's count per fold by at most one.
    /// </summary>
    /// <param name="labels">Class label of each sample (non-negative).</param>
    /// <param name="folds">Number of folds, at least 2 and at most the number of samples.</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <returns>The fold (0 … folds − 1) of each sample.</returns>
    public static int[] Assign(IReadOnlyList<int> labels, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (folds < 2 || folds > labels.Count)
            throw new ArgumentOutOfRangeException(nameof(folds), folds, $"Expected between 2 and {labels.Count} folds (the number of samples). Received: folds={folds}");
        var fold = new int[labels.Count];
        var random = new Random(seed);
        int next = 0;
        foreach (var group in ByClass(labels))
        {
            int[] members = group.ToArray();
            random.Shuffle(members);
            foreach (int i in members)
            {
                fold[i] = next;
                next = (next + 1) % folds;
            }
        }
        return fold;
    }

    /// <summary>
    /// Splits the samples in two, stratified: about <paramref name="fraction"/> of each class goes to the held-out
    /// side (rounded so that the total is <c>round(fraction × n)</c>), at least one image of each class stays on the
    /// training side, and a class holds one out only when it has at least two.
    /// </summary>
    /// <param name="labels">Class label of each sample (non-negative).</param>
    /// <param name="fraction">Fraction to hold out, in (0, 1).</param>
    /// <param name="seed">Seed of the shuffles.</param>
    /// <returns>Sorted indices of the training side and of the held-out side.</returns>
    public static (int[] Train, int[] HeldOut) Split(IReadOnlyList<int> labels, double fraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!(fraction > 0 && fraction < 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"Expected a fraction strictly between 0 and 1. Received: fraction={fraction}");
        var random = new Random(seed);
        var groups = ByClass(labels).Select(g => g.ToArray()).ToList();
        int target = (int)Math.Round(fraction * labels.Count);
        // Largest-remainder rounding of each class's share, capped so a class keeps at least one training image.
        var exact = groups.Select(g => fraction * g.Length).ToArray();
        var take = exact.Select((e, i) => Math.Min((int)Math.Floor(e), groups[i].Length - 1)).ToArray();
        foreach (int i in Enumerable.Range(0, groups.Count).OrderByDescending(i => exact[i] - Math.Floor(exact[i])).ThenBy(i => i))
        {
            if (take.Sum() >= target) break;
            if (take[i] < groups[i].Length - 1 && take[i] < Math.Ceiling(exact[i])) take[i]++;
        }
        var train = new List<int>();
        var held = new List<int>();
        for (int c = 0; c < groups.Count; c++)
        {
            int[] members = groups[c];
            random.Shuffle(members);
            held.AddRange(members[..take[c]]);
            train.AddRange(members[take[c]..]);
        }
        train.Sort();
        held.Sort();
        return (train.ToArray(), held.ToArray());
    }

    private static IEnumerable<IEnumerable<int>> ByClass(IReadOnlyList<int> labels)
    {
        for (int i = 0; i < labels.Count; i++)
            if (labels[i] < 0) throw new ArgumentException($"Expected non-negative class labels. Received: labels[{i}]={labels[i]}", nameof(labels));
        return Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => (IEnumerable<int>)g);
    }
}
