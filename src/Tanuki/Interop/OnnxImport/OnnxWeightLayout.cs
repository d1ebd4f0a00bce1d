using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Every conversion between ONNX's weight layouts and conventions and Tanuki's (Keras's), in one place. Each has an
/// inverse (for export) and a round-trip test.
/// </summary>
internal static class OnnxWeightLayout
{
    /// <summary>Conv W is (M, C/group, kH, kW), the layout of Tanuki's Conv2D kernel (and libtorch's): unchanged.</summary>
    public static Tensor ConvKernel(Tensor w) => w;

    /// <summary>Inverse of <see cref="ConvKernel"/>.</summary>
    public static Tensor OnnxConvWeight(Tensor kernel) => kernel;

    /// <summary>
    /// Gemm computes <c>alpha · A · op(B)</c> with op(B) of shape (K, N) (B is (N, K) when transB=1, as PyTorch's Linear
    /// exports). Dense's kernel is (in, out) = (K, N): <c>alpha · op(B)</c>.
    /// </summary>
    public static Tensor DenseKernelFromGemm(Tensor b, bool transB, double alpha)
    {
        Tensor k = transB ? b.t() : b;
        return alpha == 1.0 ? k.contiguous() : (k * alpha).contiguous();
    }

    /// <summary>Inverse of <see cref="DenseKernelFromGemm"/> with alpha 1: the Gemm B for a Dense kernel.</summary>
    public static Tensor GemmBFromDenseKernel(Tensor kernel, bool transB) => transB ? kernel.t().contiguous() : kernel;

    /// <summary>Gemm adds <c>beta · C</c>, C broadcast to (M, N); Dense's bias is (N): C must not vary along the batch.</summary>
    public static Tensor? DenseBiasFromGemm(Tensor c, long units, double beta, out string? reason)
    {
        reason = null;
        long[] s = c.shape;
        bool perUnit = s.Length == 0 || (s.Length == 1 && (s[0] == units || s[0] == 1)) || (s.Length == 2 && s[0] == 1 && (s[1] == units || s[1] == 1));
        if (!perUnit)
        {
            reason = $"its C of shape {Shapes.Format(s)} varies along the batch; Tanuki imports a C of shape (N,), (1, N) or a scalar";
            return null;
        }
        Tensor bias = c.reshape(-1).expand(units);
        return (beta == 1.0 ? bias : bias * beta).contiguous();
    }

    /// <summary>
    /// ONNX's BatchNormalization momentum has Keras's meaning: <c>running = running · momentum + batch · (1 − momentum)</c>
    /// (PyTorch's is 1 − that). So it carries over unchanged.
    /// </summary>
    public static double KerasMomentumFromOnnx(double onnxMomentum) => onnxMomentum;

    /// <summary>Inverse of <see cref="KerasMomentumFromOnnx"/>.</summary>
    public static double OnnxMomentumFromKeras(double kerasMomentum) => kerasMomentum;

    /// <summary>PyTorch's BatchNorm momentum (weight of the new batch) as Keras's (weight of the running value).</summary>
    public static double KerasMomentumFromPyTorch(double torchMomentum) => 1 - torchMomentum;
}
