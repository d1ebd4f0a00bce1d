using Tanuki.Interop.OnnxImport;

namespace Tanuki.Tests.Interop;

/// <summary>Each ONNX ↔ Tanuki weight conversion, and its round trip.</summary>
public class OnnxWeightLayoutTests
{
    [Fact]
    public void GemmBBecomesDenseKernelInOutAndBack()
    {
        Tensor b = torch.arange(6, dtype: ScalarType.Float32).reshape(2, 3);   // transB=1: (N=2, K=3)
        Tensor kernel = OnnxWeightLayout.DenseKernelFromGemm(b, transB: true, alpha: 1);
        Assert.Equal(new long[] { 3, 2 }, kernel.shape);
        Assert.Equal(5f, kernel[2, 1].item<float>());
        TensorAssert.Equal(b, OnnxWeightLayout.GemmBFromDenseKernel(kernel, transB: true));
        TensorAssert.Equal(b, OnnxWeightLayout.GemmBFromDenseKernel(OnnxWeightLayout.DenseKernelFromGemm(b, transB: false, alpha: 1), transB: false));
        TensorAssert.Equal(kernel * 2, OnnxWeightLayout.DenseKernelFromGemm(b, transB: true, alpha: 2));
    }

    [Fact]
    public void GemmBiasMustNotVaryAlongTheBatch()
    {
        Tensor ok = OnnxWeightLayout.DenseBiasFromGemm(torch.tensor(new float[] { 1, 2 }).reshape(1, 2), 2, 3, out string? reason)!;
        Assert.Null(reason);
        TensorAssert.Equal(torch.tensor(new float[] { 3, 6 }), ok);
        TensorAssert.Equal(torch.tensor(new float[] { 4, 4 }), OnnxWeightLayout.DenseBiasFromGemm(torch.tensor(4f), 2, 1, out _)!);
        Assert.Null(OnnxWeightLayout.DenseBiasFromGemm(torch.ones(3, 2), 2, 1, out reason));
        Assert.Contains("varies along the batch", reason);
    }

    [Fact]
    public void ConvKernelIsOihwBothWays()
    {
        Tensor w = torch.randn(4, 2, 3, 3);
        TensorAssert.Equal(w, OnnxWeightLayout.OnnxConvWeight(OnnxWeightLayout.ConvKernel(w)));
        Assert.Equal(w.shape, OnnxWeightLayout.ConvKernel(w).shape);
    }

    [Fact]
    public void BatchNormMomentumOnnxIsKerasAndPyTorchIsOneMinus()
    {
        Assert.Equal(0.9, OnnxWeightLayout.KerasMomentumFromOnnx(0.9));
        Assert.Equal(0.99, OnnxWeightLayout.OnnxMomentumFromKeras(OnnxWeightLayout.KerasMomentumFromOnnx(0.99)));
        Assert.Equal(0.9, OnnxWeightLayout.KerasMomentumFromPyTorch(0.1), 12);
    }
}
