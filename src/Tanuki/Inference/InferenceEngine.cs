namespace Tanuki;

/// <summary>
/// Which engine runs a model's inference: <see cref="Model.Predict(TorchSharp.torch.Tensor, int, int, CancellationToken)"/>,
/// <see cref="Model.Evaluate(Data.Dataset, int, CancellationToken)"/> and the frozen-feature pass of <c>Fit</c>. Training always runs on
/// libtorch. Set it on <see cref="Model.Execution"/>, or for every model on <see cref="ExecutionOptions.Default"/>.
/// </summary>
public enum InferenceEngine
{
    /// <summary>
    /// ONNX Runtime where it measured faster, libtorch elsewhere: ONNX Runtime for float32 work on the CPU that is
    /// large enough per sample to gain from it and long enough to repay building a session; libtorch for small graphs,
    /// short passes right after the weights changed, CUDA, and layers that cannot be exported. The same numbers either
    /// way, to float rounding.
    /// </summary>
    Auto,

    /// <summary>Always libtorch (TorchSharp), as in training.</summary>
    LibTorch,

    /// <summary>
    /// ONNX Runtime wherever the work can run there: float32 on the CPU, every layer exportable, nothing random in
    /// inference; otherwise the call fails with an error that says why.
    /// </summary>
    OnnxRuntime,
}
