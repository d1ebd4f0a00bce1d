using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// A convolution whose output channels are its kernel's first axis, so that a per-channel affine map after it (a
/// BatchNormalization in inference mode) can be folded into its kernel and bias: Conv2D and DepthwiseConv2D. The
/// rewrites that fold match on this capability, not on the concrete types.
/// </summary>
internal interface IFoldableConvolution
{
    /// <summary>The kernel, output channels first; null before the layer is built.</summary>
    Variable? Kernel { get; }

    /// <summary>The bias, one per output channel; null before build or without bias.</summary>
    Variable? Bias { get; }

    /// <summary>The activation after the convolution (folding applies only to a linear one).</summary>
    ActivationFunction Activation { get; }

    /// <summary>The convolution with other weights of the same shapes (folded ones): same window and groups, no activation.</summary>
    Tensor ConvolveWith(Tensor inputs, Tensor kernel, Tensor? bias);
}
