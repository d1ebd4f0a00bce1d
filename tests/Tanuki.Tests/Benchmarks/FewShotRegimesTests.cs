using Tanuki.FewShot;

namespace Tanuki.Tests.Benchmarks;

/// <summary>
/// benchmarks/fewshot's regimes: training images per class (the expected counts worked out by hand from the rule
/// max(1, round(2n·10^(−k/(C−1))))), regimes the data cannot hold refused, and seeded draws.
/// </summary>
public sealed class FewShotRegimesTests
{
    // The photo set's classes in label order: birds, fish, flowers, fruit, insects, mammals, vegetables.
    private static readonly int[] Photos = [35, 11, 25, 26, 9, 64, 18];
    private static readonly int[] Fashion = Enumerable.Repeat(6000, 10).ToArray();

    [Fact]
    public void ImbalancedCounts_GoFromTwiceNToAFifthOfN()
    {
        // 10·10^(−k/9) = 10, 7.74, 5.99, 4.64, 3.59, 2.78, 2.15, 1.67, 1.29, 1.
        Assert.Equal([10, 8, 6, 5, 4, 3, 2, 2, 1, 1], Regimes.ImbalancedCounts(5, 10));
        // 40·10^(−k/6) = 40, 27.25, 18.57, 12.65, 8.62, 5.87, 4.
        Assert.Equal([40, 27, 19, 13, 9, 6, 4], Regimes.ImbalancedCounts(20, 7));
        // 2·10^(−k/2) = 2, 0.63, 0.2: never below one image.
        Assert.Equal([2, 1, 1], Regimes.ImbalancedCounts(1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Regimes.ImbalancedCounts(5, 1));
    }

    [Fact]
    public void Balanced_UsesTheClassesThatKeepTheirTestImages()
    {
        Assert.Equal([5, 5, 5, 5, 5, 5, 5], Regimes.Plan(new Regime(RegimeKind.Balanced, 5), Photos, 4).Counts);        // insects: 9 = 5 + 4
        Assert.Equal([10, 0, 10, 10, 0, 10, 10], Regimes.Plan(new Regime(RegimeKind.Balanced, 10), Photos, 4).Counts);  // 14 needed
        RegimePlan twenty = Regimes.Plan(new Regime(RegimeKind.Balanced, 20), Photos, 4);                                  // 24 needed
        Assert.Equal([20, 0, 20, 20, 0, 20, 0], twenty.Counts);
        Assert.Equal([0, 2, 3, 5], twenty.Classes);
        Assert.Null(twenty.Impossible);
        Assert.Equal(Enumerable.Repeat(50, 10), Regimes.Plan(new Regime(RegimeKind.Balanced, 50), Fashion, 0).Counts);
    }

    [Fact]
    public void Imbalanced_GivesTheMostImagesToTheLargestClasses()
    {
        // By availability: mammals 64 → 40, birds 35 → 27, fruit 26 → 19, flowers 25 → 13, vegetables 18 → 9,
        // fish 11 → 6, insects 9 → 4; each keeps at least 4 test images.
        Assert.Equal([27, 6, 13, 19, 4, 40, 9], Regimes.Plan(new Regime(RegimeKind.Imbalanced, 20), Photos, 4).Counts);
        // Ties in class order.
        Assert.Equal([10, 8, 6, 5, 4, 3, 2, 2, 1, 1], Regimes.Plan(new Regime(RegimeKind.Imbalanced, 5), Fashion, 0).Counts);
        Assert.Equal([3, 10, 1], Regimes.Plan(new Regime(RegimeKind.Imbalanced, 5), [20, 30, 20], 0).Counts);
    }

    [Fact]
    public void Imbalanced_LeavesOutTheSmallestClassesUntilEveryClassKeepsItsTestImages()
    {
        // Three classes would give [10, 3, 1]: the class of 3 cannot keep 4 test images. Two give [10, 1].
        RegimePlan plan = Regimes.Plan(new Regime(RegimeKind.Imbalanced, 5), [30, 30, 3], 4);
        Assert.Equal([10, 1, 0], plan.Counts);
    }

    [Fact]
    public void ImpossibleRegimes_AreRefusedWithTheReason()
    {
        RegimePlan balanced = Regimes.Plan(new Regime(RegimeKind.Balanced, 50), Photos, 4);   // only mammals has 54
        Assert.NotNull(balanced.Impossible);
        Assert.Contains("54 images", balanced.Impossible);
        Assert.Empty(balanced.Classes);
        RegimePlan imbalanced = Regimes.Plan(new Regime(RegimeKind.Imbalanced, 50), Photos, 4);   // the largest class needs 104
        Assert.Contains("104 images", imbalanced.Impossible);
        var e = Assert.Throws<InvalidOperationException>(() => Regimes.Draw(balanced, Photos, 1));
        Assert.Contains("50/class balanced", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Regimes.Plan(new Regime(RegimeKind.Balanced, 0), Photos, 4));
        Assert.Throws<ArgumentException>(() => Regimes.Plan(new Regime(RegimeKind.Balanced, 5), [100], 4));
    }

    [Fact]
    public void Split_TrainsOnHalfOfEveryClass()
    {
        RegimePlan plan = Regimes.Plan(new Regime(RegimeKind.Split, 0), Photos, 4);
        Assert.Equal([17, 5, 12, 13, 4, 32, 9], plan.Counts);
        Assert.Equal(92, plan.Counts.Sum());
    }

    [Fact]
    public void Draws_AreSeededPermutationsIndependentOfTheRegime()
    {
        RegimePlan five = Regimes.Plan(new Regime(RegimeKind.Balanced, 5), Photos, 4);
        RegimePlan twenty = Regimes.Plan(new Regime(RegimeKind.Balanced, 20), Photos, 4);
        int[][] a = Regimes.Draw(five, Photos, seed: 1);
        for (int c = 0; c < Photos.Length; c++) Assert.Equal(Enumerable.Range(0, Photos[c]), a[c].Order());
        // The same seed, the same images; the 5 per class are the first 5 of the 20 (the draw ignores the counts).
        Assert.Equal(a, Regimes.Draw(five, Photos, seed: 1));
        Assert.Equal(a, Regimes.Draw(twenty, Photos, seed: 1));
        // Another seed, other images.
        int[][] b = Regimes.Draw(five, Photos, seed: 2);
        Assert.Contains(Enumerable.Range(0, Photos.Length), c => !a[c].Take(5).Order().SequenceEqual(b[c].Take(5).Order()));
        // A class's draw does not depend on the other classes' sizes.
        int[] fewerBirds = [.. Photos];
        fewerBirds[0] = 20;
        Assert.Equal(a[5], Regimes.Draw(Regimes.Plan(new Regime(RegimeKind.Balanced, 5), fewerBirds, 4), fewerBirds, seed: 1)[5]);
        Assert.Throws<ArgumentException>(() => Regimes.Draw(five, [35, 11], seed: 1));
    }
}
