using System.Runtime.CompilerServices;

namespace Tanuki.Tests;

/// <summary>
/// Process-wide settings for the test run. Inference runs on libtorch unless a test chooses otherwise: many tests use
/// <c>Predict</c> as libtorch's answer (the exporter's tests compare ONNX Runtime with it, the fusion tests compare two
/// libtorch paths), and <see cref="InferenceEngine.Auto"/> picks its engine from measured times, which would make those
/// tests depend on the machine's speed. The inference-engine tests (tests/Tanuki.Tests/Inference) set the engine on each
/// model they run.
/// </summary>
internal static class TestDefaults
{
    [ModuleInitializer]
    internal static void Initialize() => ExecutionOptions.Default.InferenceEngine = InferenceEngine.LibTorch;
}
