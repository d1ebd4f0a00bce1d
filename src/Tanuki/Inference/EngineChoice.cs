namespace Tanuki.Inference;

/// <summary>The engine a part of a model runs on, and why.</summary>
internal readonly record struct EngineChoice(InferenceEngine Engine, EngineReason Reason, string? Detail = null)
{
    public bool UsesOnnxRuntime => Engine == InferenceEngine.OnnxRuntime;

    public static EngineChoice LibTorch(EngineReason reason, string? detail = null) => new(InferenceEngine.LibTorch, reason, detail);

    public static EngineChoice OnnxRuntime(EngineReason reason) => new(InferenceEngine.OnnxRuntime, reason);

    public override string ToString() => $"{Engine} ({Reason}{(Detail is null ? "" : ": " + Detail)})";
}
