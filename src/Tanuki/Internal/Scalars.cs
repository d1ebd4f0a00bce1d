using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// TorchSharp turns every number passed where an operation takes a <see cref="Scalar"/> (an alpha, a value, a
/// constant operand) into a small native object that only the finalizer frees, and its two-tensor <c>add</c> makes
/// one for alpha 1 on every call. Left to the finalizer, hundreds of these per training step pin the holes that the
/// step's large temporaries leave in the native heap, so the next step cannot reuse them: RSS grew by about one copy
/// of the weights per ResNet-18 fine-tuning step (issue 16) although no tensor leaked. Code on the training step
/// therefore disposes the Scalars it makes (<c>using Scalar s = value;</c>) and adds tensors through <see cref="Add"/>.
/// </summary>
internal static class Scalars
{
    /// <summary>The Scalar 1, shared (Scalars are immutable): the alpha of a plain addition.</summary>
    public static Scalar One { get; } = 1.ToScalar();

    /// <summary><c>a + b</c> without a new native Scalar.</summary>
    public static Tensor Add(Tensor a, Tensor b) => a.add(b, One);

    /// <summary><c>a += b</c> in place without a new native Scalar.</summary>
    public static Tensor AddInPlace(Tensor a, Tensor b) => a.add_(b, One);
}
