using Tanuki.Layers;
using Tanuki.Interop.OnnxImport.Protos;
using static Tanuki.Interop.OnnxExport.OnnxAttributes;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxExport;

/// <summary>Conv2D, DepthwiseConv2D → Conv; BatchNormalization → BatchNormalization (or Mul and Add off axis 1).</summary>
internal static class ConvolutionExporters
{
    /// <summary>
    /// The window attributes shared by Conv, MaxPool and AveragePool. Explicit pads are written as ONNX orders them
    /// (top, left, bottom, right); "same" is ONNX's SAME_UPPER, which is TensorFlow's rule (the odd pixel at the
    /// bottom and right, pads computed from each input's size), so a free input size stays free.
    /// </summary>
    public static List<AttributeProto> Window((int H, int W) kernel, (int H, int W) strides, (int H, int W) dilation, string padding,
                                             (int Top, int Bottom, int Left, int Right)? pads)
    {
        var attributes = new List<AttributeProto> { Ints("kernel_shape", kernel.H, kernel.W), Ints("strides", strides.H, strides.W) };
        if (dilation != (1, 1)) attributes.Add(Ints("dilations", dilation.H, dilation.W));
        if (pads is { } p) attributes.Add(Ints("pads", p.Top, p.Left, p.Bottom, p.Right));
        else if (padding == "same") attributes.Add(String("auto_pad", "SAME_UPPER"));
        return attributes;
    }

    /// <summary>The kernel is <c>(filters, in / groups, kh, kw)</c>, ONNX's W as it is (<c>OnnxWeightLayout.OnnxConvWeight</c>).</summary>
    public static string Conv2D(LayerExport e)
    {
        var c = (Conv2D)e.Layer;
        var attributes = Window(c.KernelSize, c.Strides, c.DilationRate, c.Padding, c.ExplicitPadding);
        if (c.Groups != 1) attributes.Add(Int("group", c.Groups));
        string y = Conv(e, c.Kernel!, c.Bias, attributes);
        return ActivationExporters.Apply(e, c.Activation, y);
    }

    /// <summary>A depthwise convolution is a convolution with one group per input channel (its kernel is laid out so).</summary>
    public static string DepthwiseConv2D(LayerExport e)
    {
        var c = (DepthwiseConv2D)e.Layer;
        var attributes = Window(c.KernelSize, c.Strides, c.DilationRate, c.Padding, c.ExplicitPadding);
        attributes.Add(Int("group", c.InputChannels));
        string y = Conv(e, c.Kernel!, c.Bias, attributes);
        return ActivationExporters.Apply(e, c.Activation, y);
    }

    private static string Conv(LayerExport e, Variable kernel, Variable? bias, List<AttributeProto> attributes)
    {
        string[] inputs = bias is null ? [e.Input.Name, e.Weight(kernel)] : [e.Input.Name, e.Weight(kernel), e.Weight(bias)];
        return e.Node("Conv", "conv", inputs, attributes.ToArray());
    }

    /// <summary>
    /// On axis 1 (the channels of N×C×H×W, the features of N×F), ONNX's BatchNormalization in inference, whose momentum
    /// has Keras's meaning; a missing gamma or beta is written as ones or zeros. On another axis, the inference
    /// formula folded into one scale and one offset: <c>x · γ/√(σ² + ε) + (β − μ · γ/√(σ² + ε))</c>.
    /// </summary>
    public static string BatchNormalization(LayerExport e)
    {
        var bn = (Layers.BatchNormalization)e.Layer;
        int rank = e.Input.Rank;
        int axis = bn.Axis < 0 ? rank + bn.Axis : bn.Axis;
        long channels = bn.MovingMean!.Shape[0];
        if (axis == 1)
        {
            using var scope = torch.NewDisposeScope();
            string gamma = bn.Gamma is { } g ? e.Weight(g) : e.Constant("gamma", torch.ones(channels));
            string beta = bn.Beta is { } b ? e.Weight(b) : e.Constant("beta", torch.zeros(channels));
            return e.Node("BatchNormalization", "batch_norm", [e.Input.Name, gamma, beta, e.Weight(bn.MovingMean), e.Weight(bn.MovingVariance!)],
                          Float("epsilon", bn.Epsilon), Float("momentum", OnnxImport.OnnxWeightLayout.OnnxMomentumFromKeras(bn.Momentum)));
        }
        using (var scope = torch.NewDisposeScope())
        {
            Tensor mean = bn.MovingMean.Value.detach().cpu().to(ScalarType.Float64);
            Tensor variance = bn.MovingVariance!.Value.detach().cpu().to(ScalarType.Float64);
            Tensor scale = (variance + bn.Epsilon).rsqrt();
            if (bn.Gamma is { } g) scale = scale * g.Value.detach().cpu().to(ScalarType.Float64);
            Tensor offset = -mean * scale;
            if (bn.Beta is { } b) offset = offset + b.Value.detach().cpu().to(ScalarType.Float64);
            long[] shape = Enumerable.Repeat(1L, rank).ToArray();
            shape[axis] = channels;
            string scaled = e.Node("Mul", "scale", [e.Input.Name, e.Constant("scale", scale.reshape(shape))]);
            return e.Node("Add", "offset", [scaled, e.Constant("offset", offset.reshape(shape))]);
        }
    }
}
