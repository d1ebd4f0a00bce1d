using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// <c>a = relu(a + b)</c> in one pass over memory, libtorch's <c>aten::_add_relu_</c> (the kernel PyTorch's own
/// graph passes fuse residual blocks into). TorchSharp does not bind it, so it is called through a one-line
/// TorchScript function compiled once. The script is fixed text that compiles on every libtorch with the operator
/// (2.x); where it cannot be used (not the CPU, not float32, shapes that broadcast) the caller adds and applies the
/// ReLU as two operations, which gives the same values. Whether it is used at all is
/// <see cref="ExecutionOptions.FuseAddRelu"/>.
/// </summary>
internal static class AddRelu
{
    private static readonly Lazy<jit.CompilationUnit> Unit = new(() =>
        jit.compile("def add_relu_(a: Tensor, b: Tensor) -> Tensor:\n    return torch._add_relu_(a, b)\n"));

    /// <summary>Whether <see cref="InPlace"/> can run on these tensors.</summary>
    public static bool Applies(Tensor a, Tensor b) =>
        a.device_type == DeviceType.CPU && b.device_type == DeviceType.CPU &&
        a.dtype == ScalarType.Float32 && b.dtype == ScalarType.Float32 && a.shape.SequenceEqual(b.shape) &&
        (!torch.is_grad_enabled() || (!a.requires_grad && !b.requires_grad));

    /// <summary>Overwrites <paramref name="a"/> with <c>relu(a + b)</c> and returns it.</summary>
    public static Tensor InPlace(Tensor a, Tensor b)
    {
        using Tensor result = Unit.Value.invoke<Tensor>("add_relu_", a, b);   // a view of a's storage
        return a;
    }
}
