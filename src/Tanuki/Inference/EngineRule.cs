namespace Tanuki.Inference;

/// <summary>
/// When <see cref="InferenceEngine.Auto"/> runs a part of a model on ONNX Runtime. What was measured
/// (<c>benchmarks engine</c>; numbers in benchmarks/README.md): on this project's graphs, from a 676-weight MLP to
/// ResNet-18 at 224², ONNX Runtime ran a batch faster than libtorch, by 12% (ResNet-18 at 224², where libtorch's folded
/// channels-last inference comes closest) to several times (small convolutional graphs, and any graph while other
/// processes load the machine, where libtorch's spinning OpenMP threads lose most); the exception is a tiny MLP called
/// one sample at a time, where the per-call costs decide and libtorch was ahead. What ONNX Runtime costs is its session:
/// exporting the graph and building it takes milliseconds for a small graph and ~0.1 s for ResNet-18, again after
/// every change of the weights.
/// <para>
/// So the rule measures as it goes and rents before it buys (the ski-rental rule). It keeps each engine's time per sample
/// on the part (<see cref="EngineClock"/>): where both have run and libtorch was faster, libtorch stays. A session that
/// matches the weights is used. Otherwise it keeps libtorch until the time libtorch has spent on the part since its
/// weights last changed, plus what the rest of the current pass would take there, times the share ONNX Runtime saves,
/// would pay for the build. Until ONNX Runtime has run the part that share is not known, and the rule takes it as
/// <see cref="PriorSavedFraction"/> = 1: it buys once renting has cost one build. That is the choice with the smallest
/// worst case: whatever the true saving, the work on unchanged weights never costs more than twice what the best choice
/// in hindsight would have (a smaller prior waits longer, and costs up to 1 + 1/prior times the best when ONNX Runtime
/// turns out much faster, as it does on the imported MobileNets and EfficientNet, 2–3× libtorch's speed). Once both have
/// run the part the measured share is used, with the same bound: a short pass right after training (a small validation
/// set at each epoch) stays on libtorch; a long pass, a frozen prefix, or many short passes on unchanged weights (a
/// service's <c>Predict</c> calls) move to ONNX Runtime.
/// </para>
/// </summary>
internal static class EngineRule
{
    /// <summary>
    /// The share of libtorch's time ONNX Runtime is taken to save on a part before both engines have run it: 1, so that
    /// the first session is built once libtorch's time on unchanged weights reaches a build's (see the class's remarks).
    /// </summary>
    public const double PriorSavedFraction = 1.0;

    /// <summary>A session's build time (export + creation) before the part's first build is measured: a fixed part ...</summary>
    public const double BuildSeconds0 = 0.01;

    /// <summary>... and a part per weight (scalar).</summary>
    public const double BuildSecondsPerParameter = 0.008e-6;

    /// <summary>The build time to expect for a part with <paramref name="parameters"/> weights.</summary>
    public static double EstimatedBuildSeconds(long parameters) => BuildSeconds0 + BuildSecondsPerParameter * parameters;

    /// <summary>
    /// <see cref="EngineReason.WorthBuilding"/> to build a session now, or why not: <see cref="EngineReason.Measuring"/>
    /// (libtorch's time on the part is not known yet: this call measures it), <see cref="EngineReason.ShortPass"/>.
    /// </summary>
    /// <param name="rentSeconds">Seconds libtorch spent on the part since its weights last changed.</param>
    /// <param name="secondsPerSample">libtorch's seconds per sample on the part; NaN if unknown.</param>
    /// <param name="remainingSamples">Samples left in the current pass, this call's included; -1 when the pass has no end in sight.</param>
    /// <param name="buildSeconds">What a build will take (the last one's time, or <see cref="EstimatedBuildSeconds"/>).</param>
    /// <param name="savedFraction">The share of libtorch's time ONNX Runtime saves on the part.</param>
    public static EngineReason Decide(double rentSeconds, double secondsPerSample, long remainingSamples, double buildSeconds, double savedFraction)
    {
        if (remainingSamples < 0) return EngineReason.WorthBuilding;
        if (double.IsNaN(secondsPerSample)) return EngineReason.Measuring;
        double libTorchSeconds = rentSeconds + secondsPerSample * remainingSamples;
        return libTorchSeconds * savedFraction >= buildSeconds ? EngineReason.WorthBuilding : EngineReason.ShortPass;
    }
}
