using Tanuki.Inference;
using Tanuki.Layers;
using static Tanuki.Tests.Inference.EngineTestModels;

namespace Tanuki.Tests.Inference;

/// <summary>
/// <see cref="InferenceEngine.Auto"/>'s rule: rent (libtorch) until the work on unchanged weights would have paid for a
/// session at ONNX Runtime's saving, then buy (build the session); a frozen prefix with no end in sight buys at once.
/// </summary>
public class EngineRuleTests
{
    [Fact]
    public void APassWithNoEndInSightBuildsAtOnce() =>
        Assert.Equal(EngineReason.WorthBuilding, EngineRule.Decide(rentSeconds: 0, secondsPerSample: double.NaN, remainingSamples: -1, buildSeconds: 5, savedFraction: 0.1));

    [Fact]
    public void UnknownSpeedIsMeasuredOnLibTorchFirst() =>
        Assert.Equal(EngineReason.Measuring, EngineRule.Decide(0, double.NaN, remainingSamples: 1_000_000, buildSeconds: 0.1, savedFraction: 0.1));

    [Theory]
    // ~5 ms per sample on libtorch, 0.6 s to build (a large model), 10% saved (as measured on some).
    [InlineData(0.0, 200, false)]     // a 200-image validation set right after an epoch: 1 s of libtorch saves 0.1 s < 0.6 s
    [InlineData(0.0, 2000, true)]     // a 2,000-image evaluation: 10 s saves 1 s > 0.6 s
    [InlineData(5.0, 200, true)]      // the 25th small pass on the same weights: 5 s already spent, 6 s in all saves 0.6 s
    public void APassIsWorthASessionWhenItsLibTorchTimeTimesTheSavingExceedsTheBuild(double rent, long samples, bool build)
    {
        EngineReason reason = EngineRule.Decide(rent, secondsPerSample: 0.005, samples, buildSeconds: 0.6, savedFraction: 0.1);
        Assert.Equal(build ? EngineReason.WorthBuilding : EngineReason.ShortPass, reason);
    }

    [Theory]
    // Before ONNX Runtime has run the part its saving is unknown: the rule buys once libtorch's time reaches one build
    // (ResNet-50 at 224², 8 images a call: ~0.4 s a call on libtorch, ~1.3 s to build).
    [InlineData(0.0, 8, false)]       // the first call after measuring: 0.4 s < 1.3 s
    [InlineData(0.8, 8, false)]       // the third: 1.2 s < 1.3 s
    [InlineData(1.2, 8, true)]        // the fourth: 1.6 s ≥ 1.3 s; a service's repeated calls never pay more than twice the best
    public void BeforeOnnxRuntimeIsMeasuredTheRuleBuysOnceRentingHasCostOneBuild(double rent, long samples, bool build)
    {
        EngineReason reason = EngineRule.Decide(rent, secondsPerSample: 0.05, samples, buildSeconds: 1.3, savedFraction: EngineRule.PriorSavedFraction);
        Assert.Equal(build ? EngineReason.WorthBuilding : EngineReason.ShortPass, reason);
    }

    [Fact]
    public void ManyShortCallsOnUnchangedWeightsMoveToOnnxRuntime()
    {
        Model model = SmallFunctional();
        model.Execution.InferenceEngine = InferenceEngine.Auto;
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(2, 12, seed: 37);
        InferencePart part = model.WholeInference;
        double quarter = 1.01 * EngineRule.EstimatedBuildSeconds(model.CountParams()) / 4;
        int calls = 0;
        while (part.Builds == 0 && calls < 50)
        {
            calls++;
            if (part.TryRun([x], remainingSamples: 2, random: false, out _) is null) part.RecordLibTorch(quarter, 2);   // each call on libtorch "took" a quarter of a build
        }
        // Measured on the first call, then rented until the calls so far plus the one at hand reached one build: the
        // fourth. The former prior (10% saved) waited for ten builds' worth, the 40th call.
        Assert.Equal(4, calls);
        Assert.Equal(EngineReason.WorthBuilding, part.LastChoice!.Value.Reason);
        Assert.NotNull(part.TryRun([x], remainingSamples: 2, random: false, out EngineChoice next));
        Assert.Equal(EngineReason.SessionCurrent, next.Reason);
        model.ReleaseInferenceSessions();
    }

    [Fact]
    public void TheBuildEstimateGrowsWithTheWeights()
    {
        Assert.Equal(EngineRule.BuildSeconds0, EngineRule.EstimatedBuildSeconds(0));
        Assert.InRange(EngineRule.EstimatedBuildSeconds(15_908_800), 0.08, 0.3);   // ResNet-18: measured 0.10–0.12 s (benchmarks engine, 96² and 224²)
    }

    [Fact]
    public void AutoKeepsLibTorchForAShortPassOnASmallModel()
    {
        var input = new Input(8);
        var model = new Model(input, new Dense(3).Call(new Dense(16, activation: "relu").Call(input)));
        model.Execution.InferenceEngine = InferenceEngine.Auto;
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(8, 8);
        InferencePart part = model.WholeInference;
        Assert.Null(part.TryRun([x], remainingSamples: 24, random: false, out EngineChoice first));
        Assert.Equal(EngineReason.Measuring, first.Reason);
        part.RecordLibTorch(1e-4, 8);   // what libtorch takes for such a model, give or take
        Assert.Null(part.TryRun([x], remainingSamples: 16, random: false, out EngineChoice second));
        Assert.Equal(EngineReason.ShortPass, second.Reason);
        Assert.False(part.HasSession);
    }

    [Fact]
    public void AutoBuildsOnceTheLibTorchTimeOnUnchangedWeightsHasPaidForIt()
    {
        Model model = SmallFunctional();
        model.Execution.InferenceEngine = InferenceEngine.Auto;
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(4, 12, seed: 29);
        InferencePart part = model.WholeInference;
        // Tell the part that libtorch has already spent 100 s on these weights: any build is repaid.
        model.Predict(x);
        part.RecordLibTorch(100, 4);
        model.Predict(x);
        Assert.Equal(EngineReason.WorthBuilding, part.LastChoice!.Value.Reason);
        model.Predict(x);
        Assert.Equal(EngineReason.SessionCurrent, part.LastChoice!.Value.Reason);
        Assert.Equal(1, part.Builds);
        model.ReleaseInferenceSessions();
    }

    [Fact]
    public void TheRentStartsAgainWhenTheWeightsChangeButTheSpeedsAreRemembered()
    {
        var dense = new Dense(2);
        dense.Build([-1, 3]);
        Variable[] weights = [.. dense.Weights];
        var clock = new EngineClock();
        clock.Observe(weights);
        Assert.Equal(0.1, clock.SavedFraction(prior: 0.1));                 // nothing measured: the prior
        clock.AddLibTorch(0.5, 10);
        clock.Observe(weights);
        Assert.Equal(0.5, clock.RentSeconds);
        Assert.Equal(0.1, clock.SavedFraction(prior: 0.1));                 // one engine measured: still the prior
        clock.AddOnnxRuntime(0.1, 10);
        Assert.Equal(0.8, clock.SavedFraction(prior: 0.1), 12);             // both: ONNX Runtime took 0.01 s a sample, libtorch 0.05
        using (var scope = torch.NewDisposeScope()) weights[1].Assign(torch.ones(2));
        clock.Observe(weights);
        Assert.Equal(0, clock.RentSeconds);
        Assert.Equal(0.05, clock.LibTorchSecondsPerSample, 12);
        Assert.Equal(0.8, clock.SavedFraction(prior: 0.1), 12);
    }

    [Fact]
    public void WhereLibTorchMeasuredFasterItStays()
    {
        Model model = SmallFunctional();
        model.Execution.InferenceEngine = InferenceEngine.Auto;
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(4, 12, seed: 31);
        InferencePart part = model.WholeInference;
        part.TryRun([x], remainingSamples: -1, random: false, out _);       // builds, first call (not timed)
        part.TryRun([x], remainingSamples: -1, random: false, out _);       // timed
        part.RecordLibTorch(1e-9, 4);                                       // libtorch: far faster than anything real
        Assert.Null(part.TryRun([x], remainingSamples: -1, random: false, out EngineChoice choice));
        Assert.Equal(EngineReason.LibTorchFaster, choice.Reason);
        model.ReleaseInferenceSessions();
    }
}
