using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// <see cref="TrainingPrecision.MixedBFloat16"/> as the layers apply it: a convolution or a dense layer that runs while
/// gradients are recorded, with the running model's options asking for it, takes a float32 input as bfloat16 and its
/// weights as bfloat16 copies (autograd carries their gradients back to the float32 weights). A bfloat16 input makes
/// such a layer compute in bfloat16 too, so activations stay bfloat16 from one layer to the next; elementwise layers
/// follow their input, and a model hands back float32 (<see cref="ToFloat32"/>).
/// </summary>
internal static class MixedPrecision
{
    /// <summary>Whether layers called now start computing in bfloat16.</summary>
    public static bool Active =>
        ExecutionOptions.Running is { TrainingPrecision: TrainingPrecision.MixedBFloat16 } && torch.is_grad_enabled();

    /// <summary>The input of a convolution or matrix product, in the dtype the layer computes in now.</summary>
    public static Tensor Input(Tensor x) => x.dtype == ScalarType.Float32 && Active ? x.to(ScalarType.BFloat16) : x;

    /// <summary>A weight in <paramref name="x"/>'s dtype, where the two differ only in float precision.</summary>
    public static Tensor Like(Tensor weight, Tensor x) =>
        x.dtype == ScalarType.BFloat16 && weight.dtype == ScalarType.Float32 ? weight.to(ScalarType.BFloat16) : weight;

    /// <summary>A bfloat16 output back in float32, what a model hands to its caller, the loss and the metrics.</summary>
    public static Tensor ToFloat32(Tensor y) => y.dtype == ScalarType.BFloat16 ? y.to(ScalarType.Float32) : y;
}
