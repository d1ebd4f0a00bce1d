using Tanuki.Optimizers;

namespace Tanuki.Tests.FineTuning;

public class DiscriminativeLearningRatesTests
{
    [Fact]
    public void ApplySetsEachGroupsMultiplierAndLaterGroupsWin()
    {
        var (clf, b, head) = StagedBase.Classifier();
        var opt = new Adam(1e-4);
        DiscriminativeLearningRates.Apply(opt, (clf, 1.0), (b, 0.1), (b.FindLayer("stage3_dense"), 0.5));
        Assert.Equal(1, opt.GetLearningRateMultiplier(head.Weights[0]));
        Assert.Equal(0.1, opt.GetLearningRateMultiplier(b.FindLayer("stem_bn").Weights[0]));
        Assert.Equal(0.5, opt.GetLearningRateMultiplier(b.FindLayer("stage3_dense").Weights[1]));
    }

    [Fact]
    public void TheBaseReallyMovesAtAFractionOfTheRate()
    {
        // One SGD step: each weight moves by −lr·multiplier·gradient. Compare with the gradient the tape gives.
        TanukiInfo.SetRandomSeed(21);
        var (clf, b, head) = StagedBase.Classifier();
        var opt = new SGD(0.5);
        DiscriminativeLearningRates.Apply(opt, (b, 0.1));
        var (x, y) = StagedBase.Data(8, seed: 7);
        Variable baseKernel = b.FindLayer("stage3_dense").Weights[0], headKernel = head.Weights[0];
        Tensor b0 = baseKernel.Value.detach().clone(), h0 = headKernel.Value.detach().clone();
        Tensor[] grads;
        using (var tape = new GradientTape())
        {
            Tensor loss = clf.Loss is null ? throw new InvalidOperationException() : clf.Loss.Call(y, clf.Call(x, training: true));
            grads = tape.Gradient(loss, [baseKernel, headKernel]);
        }
        opt.ApplyGradients(grads, [baseKernel, headKernel]);
        TensorAssert.Close(b0 - 0.05 * grads[0], baseKernel.Value, atol: 1e-7);
        TensorAssert.Close(h0 - 0.5 * grads[1], headKernel.Value, atol: 1e-7);
    }

    [Fact]
    public void SliceSpreadsRatesGeometricallyLikeFastai()
    {
        Model b = StagedBase.Create();
        var opt = new Adam();
        IReadOnlyList<double> rates = DiscriminativeLearningRates.Slice(opt, b, 1e-5, 1e-3, groups: 3);
        Assert.Equal(1e-5, rates[0], 12);
        Assert.Equal(1e-4, rates[1], 12);
        Assert.Equal(1e-3, rates[2]);
        Assert.Equal(1e-3, opt.LearningRate);
        var groups = DiscriminativeLearningRates.Split(b, 3);            // 8 layers holding weights → 2, 3, 3
        Assert.Equal(new[] { 2, 3, 3 }, groups.Select(g => g.Count));
        Assert.Equal(0.01, opt.GetLearningRateMultiplier(groups[0][0].Weights[0]), 12);
        Assert.Equal(0.1, opt.GetLearningRateMultiplier(groups[1][0].Weights[0]), 12);
        Assert.Equal(1, opt.GetLearningRateMultiplier(groups[2][2].Weights[0]));
        Assert.Throws<ArgumentException>(() => DiscriminativeLearningRates.Split(b, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => DiscriminativeLearningRates.Slice(opt, b, 1e-3, 1e-5));
    }
}
