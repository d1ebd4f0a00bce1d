namespace Tanuki.Data;

public abstract partial class Dataset
{
    /// <summary>
    /// Splits the elements in two disjoint datasets, as <c>keras.utils.split_dataset</c>:
    /// <c>var (train, val) = ds.Split(0.8, seed: 1)</c>. The left side gets <c>floor(leftFraction × Cardinality)</c>
    /// elements, the right side the rest; both keep the dataset's order. Split samples before batching them (after
    /// <c>Batch</c> it splits whole batches) and before shuffling them (a reshuffling dataset cannot be split without
    /// the two sides overlapping).
    /// </summary>
    /// <param name="leftFraction">Fraction of the elements on the left side, in (0, 1).</param>
    /// <param name="seed">Null: the left side is the first elements. A seed: the sides are a random partition drawn
    /// with it (the same seed gives the same partition).</param>
    /// <exception cref="InvalidOperationException">The size is unknown, or the order changes between enumerations.</exception>
    public (Dataset Left, Dataset Right) Split(double leftFraction, int? seed = null)
    {
        if (!(leftFraction > 0 && leftFraction < 1))
            throw new ArgumentOutOfRangeException(nameof(leftFraction), leftFraction, $"Expected a fraction strictly between 0 and 1. Received: leftFraction={leftFraction}");
        long n = Cardinality;
        if (n < 0)
            throw new InvalidOperationException("Split needs a dataset of known size (Cardinality >= 0); this one's size is only known after reading it. Split the data before the step that makes its size unknown.");
        if (!IsOrderStable)
            throw new InvalidOperationException("Split needs a dataset that yields the same elements in the same order at every enumeration, but this one reshuffles. Split first, then Shuffle each side.");
        long left = (long)Math.Floor(leftFraction * n);
        if (left == 0 || left == n)
            throw new ArgumentException($"leftFraction={leftFraction} of {n} elements leaves one side empty.", nameof(leftFraction));

        long[] order = Enumerable.Range(0, checked((int)n)).Select(i => (long)i).ToArray();
        if (seed is int s) new Random(Seeds.Derive(s, 0)).Shuffle(order);
        long[] leftPositions = order[..(int)left].Order().ToArray();
        long[] rightPositions = order[(int)left..].Order().ToArray();

        if (this is TensorSamples samples) return (samples.Select(leftPositions), samples.Select(rightPositions));
        return (new SubsetDataset(this, Mask(n, leftPositions)), new SubsetDataset(this, Mask(n, rightPositions)));
    }

    private static bool[] Mask(long n, long[] positions)
    {
        var keep = new bool[n];
        foreach (long p in positions) keep[p] = true;
        return keep;
    }
}
