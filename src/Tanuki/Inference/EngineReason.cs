namespace Tanuki.Inference;

/// <summary>Why a part of a model runs on the engine it runs on.</summary>
internal enum EngineReason
{
    /// <summary>The options say <see cref="InferenceEngine.LibTorch"/>.</summary>
    ForcedLibTorch,

    /// <summary>The options say <see cref="InferenceEngine.OnnxRuntime"/>, and it can run there.</summary>
    ForcedOnnxRuntime,

    /// <summary>The weights or the inputs are not on the CPU (CUDA stays on libtorch).</summary>
    NotOnCpu,

    /// <summary>An input is not float32, the only type the exported graph takes.</summary>
    NotFloat32,

    /// <summary>A layer cannot be exported to ONNX (a custom layer, say), or the part is not a graph Tanuki can read.</summary>
    NotExportable,

    /// <summary>A layer is random in this call (a Dropout called with <c>training: true</c>), which ONNX Runtime would not reproduce.</summary>
    Random,

    /// <summary>The session matches the part's weights, and ONNX Runtime is the faster engine for it (measured, or assumed until measured).</summary>
    SessionCurrent,

    /// <summary>The session needs (re)building, and <see cref="EngineRule"/> finds the work ahead worth it.</summary>
    WorthBuilding,

    /// <summary>libtorch's time on the part is not known yet: this call runs there and measures it.</summary>
    Measuring,

    /// <summary>The session would need (re)building, and the work ahead is too short to repay it (<see cref="EngineRule"/>).</summary>
    ShortPass,

    /// <summary>Both engines have run this part, and libtorch was the faster.</summary>
    LibTorchFaster,
}
