using Tanuki.Callbacks;
using Tanuki.Optimizers;
using static Tanuki.Tests.Callbacks.CallbackHarness;

namespace Tanuki.Tests.Callbacks;

/// <summary>ReduceLROnPlateau follows Keras's reduce_lr_on_plateau.py (epochs worked out by hand from its rules).</summary>
public class ReduceLROnPlateauTests
{
    private static List<double> RatesAfterEachEpoch(ReduceLROnPlateau callback, double startRate, params double[] values)
    {
        var model = CompiledModel(new SGD(startRate));
        var rates = new List<double>();
        var record = new RecordRate(rates);
        Run(model, Logs("val_loss", values), callback, record);
        return rates;
    }

    [Fact]
    public void ReducesAfterPatienceAndWaitsOutTheCooldown()
    {
        // Flat val_loss. patience 2, cooldown 2: reduce at index 2; indices 3 and 4 are cooldown (index 4 already
        // counts 1 after the counter reaches 0); reduce at 5, then 8.
        var rates = RatesAfterEachEpoch(new ReduceLROnPlateau(factor: 0.5, patience: 2, cooldown: 2, minDelta: 0), 1.0,
                                        1, 1, 1, 1, 1, 1, 1, 1, 1);
        Assert.Equal(new[] { 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.125 }, rates);
    }

    [Fact]
    public void WithoutCooldownReducesEveryPatienceEpochs()
    {
        var rates = RatesAfterEachEpoch(new ReduceLROnPlateau(factor: 0.5, patience: 2, minDelta: 0), 1.0, 1, 1, 1, 1, 1, 1, 1);
        Assert.Equal(new[] { 1, 1, 0.5, 0.5, 0.25, 0.25, 0.125 }, rates);
    }

    [Fact]
    public void AnImprovementResetsTheCount()
    {
        var rates = RatesAfterEachEpoch(new ReduceLROnPlateau(factor: 0.1, patience: 2, minDelta: 0), 1.0, 1.0, 1.0, 0.9, 0.9, 0.9);
        Assert.Equal(new[] { 1, 1, 1, 1, 0.1 }, rates);
    }

    [Fact]
    public void MinDeltaAndMinLr()
    {
        // 0.99995 is within minDelta 1e-4 of 1.0: not an improvement. The rate stops at minLr.
        var rates = RatesAfterEachEpoch(new ReduceLROnPlateau(factor: 0.1, patience: 1, minLr: 0.05), 1.0, 1.0, 0.99995, 0.99994, 0.99993);
        Assert.Equal(new[] { 1, 0.1, 0.05, 0.05 }, rates);
    }

    [Fact]
    public void LogsTheRateTheEpochRanWith()
    {
        var model = CompiledModel(new SGD(1.0));
        var history = new History();
        Run(model, Logs("val_loss", 1, 1), new ReduceLROnPlateau(factor: 0.5, patience: 1), history);
        Assert.Equal(new[] { 1.0, 1.0 }, history["learning_rate"]);   // reduced after epoch 2 was logged
        Assert.Equal(0.5, model.Optimizer!.LearningRate);
    }

    [Fact]
    public void RejectsAFactorOfOneOrMore() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: 1.0));

    private sealed class RecordRate(List<double> rates) : Callback
    {
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) => rates.Add(Model!.Optimizer!.LearningRate);
    }
}
