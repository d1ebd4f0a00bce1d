namespace Tanuki.Inference;

/// <summary>
/// When <see cref="InferenceEngine.Auto"/> runs a part of a model on ONNX Runtime, and the measurements behind it
/// (<c>benchmarks engine</c>, benchmarks/README.md). On this project's graphs, from a 676-weight MLP to ResNet-18 at
/// 224², ONNX Runtime ran a batch faster than libtorch did, so a part whose session matches its weights runs there.
/// What it costs is the session: exporting the graph and building it takes from milliseconds (small graphs) to ~0.6 s
/// (ResNet-18), again after every change of the weights. The rule rents before it buys: it keeps libtorch until the
/// time libtorch has spent on the part since its weights last changed, plus what the rest of the current pass will
/// take there, would have paid for the build at the saving ONNX Runtime gives (<see cref="SavedFraction"/>). So a
/// short pass right after training (a small validation set, each epoch) stays on libtorch; a long pass, a frozen
/// prefix, or many short passes on unchanged weights move to ONNX Runtime, never paying more than about twice the best
/// choice in hindsight.
/// </summary>
internal static class EngineRule
{
    /// <summary>
    /// The share of libtorch's time ONNX Runtime saves, taken low: the smallest saving measured on a large graph
    /// (ResNet-18 at 224², where libtorch's folded channels-last inference comes closest).
    /// </summary>
    public const double SavedFraction = 0.1;

    /// <summary>A session's build time (export + creation) before the part's first build is measured: a fixed part ...</summary>
    public const double BuildSeconds0 = 0.01;

    /// <summary>... and a part per weight (scalar).</summary>
    public const double BuildSecondsPerParameter = 0.05e-6;

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
    public static EngineReason Decide(double rentSeconds, double secondsPerSample, long remainingSamples, double buildSeconds)
    {
        if (remainingSamples < 0) return EngineReason.WorthBuilding;
        if (double.IsNaN(secondsPerSample)) return EngineReason.Measuring;
        double libTorchSeconds = rentSeconds + secondsPerSample * remainingSamples;
        return libTorchSeconds * SavedFraction >= buildSeconds ? EngineReason.WorthBuilding : EngineReason.ShortPass;
    }
}
