using Tanuki.FineTuning;

namespace Tanuki.Tests.FineTuning;

/// <summary>The recipe's smaller parts: the paired comparison that keeps or reverts fine-tuning, the augmented views, the head's cross-validation.</summary>
public class RecipePartsTests
{
    [Fact]
    public void ThePairedGainAndItsStandardErrorAreTheMeanDifferenceAndItsSpread()
    {
        bool[] frozen = [true, true, false, false, true];
        bool[] tuned = [true, false, true, true, true];
        var (gain, se) = FineTuneRun.PairedGain(frozen, tuned, [1, 1, 1, 1, 1]);
        // Differences 0, -1, 1, 1, 0: mean 0.2; deviations -0.2, -1.2, 0.8, 0.8, -0.2; sqrt(2.8) / 5.
        Assert.Equal(0.2, gain, 12);
        Assert.Equal(Math.Sqrt(2.8) / 5, se, 12);
        // Weighted: the second sample weighs 3 of 7.
        var (wg, wse) = FineTuneRun.PairedGain(frozen, tuned, [1, 3, 1, 1, 1]);
        Assert.Equal(-1.0 / 7, wg, 12);
        double v = new[] { (0 + 1.0 / 7, 1), (-1 + 1.0 / 7, 3), (1 + 1.0 / 7, 1), (1 + 1.0 / 7, 1), (0 + 1.0 / 7, 1) }.Sum(p => p.Item2 * p.Item2 * p.Item1 * p.Item1);
        Assert.Equal(Math.Sqrt(v) / 7, wse, 12);
    }

    [Fact]
    public void ViewsAreTheImageItsMirrorAndReproducibleCrops()
    {
        using var scope = NewDisposeScope();
        Tensor images = torch.rand(3, 3, 16, 20, generator: new torch.Generator(5)) * 255;
        int[] ids = [7, 8, 9];
        Assert.Same(images, FeatureViews.Apply(images, 0, 1, ids, 0));
        TensorAssert.Equal(images.flip(-1), FeatureViews.Apply(images, 1, 1, ids, 0));
        Tensor crop = FeatureViews.Apply(images, 2, 1, ids, 0);
        Assert.Equal(images.shape, crop.shape);
        TensorAssert.Equal(crop, FeatureViews.Apply(images, 2, 1, ids, 0));                       // same seed and samples: same crops
        TensorAssert.Equal(crop[1..2], FeatureViews.Apply(images[1..2], 2, 1, ids, 1));          // per sample, whatever the batch
        Assert.False(TensorAssert.BitEqual(crop, FeatureViews.Apply(images, 3, 1, ids, 0)));     // another view, other crops
        Assert.False(TensorAssert.BitEqual(crop, FeatureViews.Apply(images, 2, 2, ids, 0)));     // another seed, other crops
    }

    [Fact]
    public void TheHeadsScoresAreOutOfFold()
    {
        // Noise features and random labels: a weakly penalised regression fits its own training samples perfectly,
        // but predicts held-out ones at chance. Scores near chance show each sample was scored by a head that never saw it.
        using var scope = NewDisposeScope();
        var g = new torch.Generator(11);
        Tensor features = torch.randn(60, 1, 80, generator: g);   // more features than samples: separable
        int[] labels = torch.randint(0, 2, 60, generator: g).data<long>().ToArray().Select(l => (int)l).ToArray();
        double[] weights = Enumerable.Repeat(1.0, 60).ToArray();
        var (candidates, outOfFold) = HeadSearch.Run(features, labels, weights, classes: 2, folds: 5, seed: 1);
        Assert.Equal(HeadSearch.Penalties.Length, candidates.Count);                             // one view: no mirror-image rows
        HeadCandidate weakest = candidates.Single(c => c.L2 == HeadSearch.Penalties[^1]);
        Assert.InRange(weakest.Accuracy, 0.2, 0.75);
        using var inSample = new LogisticRegression(HeadSearch.Penalties[^1]).Fit(features[.., 0], torch.tensor(labels.Select(l => (long)l).ToArray()), 2);
        double fitted = inSample.DecisionFunction(features[.., 0]).argmax(1).eq(torch.tensor(labels.Select(l => (long)l).ToArray())).to_type(ScalarType.Float64).mean().item<double>();
        Assert.True(fitted > 0.95, $"in-sample accuracy {fitted}");
        Assert.Equal(candidates.Min(c => c.LogLoss), candidates[0].LogLoss);
        Assert.Equal(60, outOfFold.Length);
    }

    [Fact]
    public void BalancedWeightsAreKerasBalanced()
    {
        // Keras: n_samples / (n_classes * count); 6 samples, 2 classes of 4 and 2.
        Assert.Equal(new[] { 0.75, 0.75, 1.5, 0.75, 1.5, 0.75 }, HeadSearch.BalancedWeights([0, 0, 1, 0, 1, 0]));
    }
}
