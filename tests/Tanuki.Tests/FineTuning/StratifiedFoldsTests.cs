using Tanuki.FineTuning;

namespace Tanuki.Tests.FineTuning;

public class StratifiedFoldsTests
{
    private static readonly int[] Labels = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 7), .. Enumerable.Repeat(2, 3)];

    [Fact]
    public void FoldsAreStratifiedBalancedAndCoverEverySampleOnce()
    {
        int[] fold = StratifiedFolds.Assign(Labels, 5, seed: 3);
        Assert.Equal(20, fold.Length);
        Assert.All(Enumerable.Range(0, 5), f => Assert.Equal(4, fold.Count(x => x == f)));           // 20 samples, 4 per fold
        foreach (int c in new[] { 0, 1, 2 })
        {
            var perFold = Enumerable.Range(0, 5).Select(f => Enumerable.Range(0, 20).Count(i => fold[i] == f && Labels[i] == c)).ToList();
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"class {c}: {string.Join(",", perFold)}");   // 2,2,2,2,2 / 1 or 2 / 0 or 1
            Assert.Equal(Labels.Count(l => l == c), perFold.Sum());
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameFoldsAndAnotherSeedOthers()
    {
        Assert.Equal(StratifiedFolds.Assign(Labels, 5, seed: 3), StratifiedFolds.Assign(Labels, 5, seed: 3));
        Assert.NotEqual(StratifiedFolds.Assign(Labels, 5, seed: 3), StratifiedFolds.Assign(Labels, 5, seed: 4));
    }

    [Fact]
    public void ASplitHoldsOutEachClassInProportionAndKeepsOneOfEachForTraining()
    {
        var (train, held) = StratifiedFolds.Split(Labels, 0.2, seed: 1);
        Assert.Equal(4, held.Length);                                  // round(0.2 × 20)
        Assert.Equal(new[] { 2, 1, 1 }, new[] { 0, 1, 2 }.Select(c => held.Count(i => Labels[i] == c)));   // 2, 1.4, 0.6 → largest remainders
        Assert.Equal(Enumerable.Range(0, 20), train.Concat(held).Order());
        Assert.Equal(train, train.Order());

        int[] tiny = [0, 0, 0, 0, 1];                                  // one image of class 1: it must stay in training
        var (t2, h2) = StratifiedFolds.Split(tiny, 0.4, seed: 1);
        Assert.Contains(4, t2);
        Assert.Equal(2, h2.Length);
        Assert.Equal(StratifiedFolds.Split(Labels, 0.2, seed: 1).HeldOut, held);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedFolds.Assign(Labels, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedFolds.Assign([0, 1], 3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedFolds.Split(Labels, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StratifiedFolds.Split(Labels, 1, 0));
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => StratifiedFolds.Assign([0, -1, 1], 2, 0)).Message);
    }
}
