using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Max pooling over H and W of N×C×H×W inputs. Padding never wins the maximum (it counts as −∞), as in Keras,
/// PyTorch and ONNX.
/// </summary>
public sealed class MaxPooling2D : Pooling2D, IPerSamplePooling
{
    /// <summary>Creates the layer with a square window.</summary>
    /// <param name="poolSize">Window height and width.</param>
    /// <param name="strides">Window step; the pool size when null (Keras's default).</param>
    /// <param name="padding"><c>"valid"</c> (none) or <c>"same"</c> (output ⌈input / stride⌉; case-insensitive).</param>
    /// <param name="explicitPadding">Pads (top, bottom, left, right), as ONNX gives them; replaces <paramref name="padding"/>.</param>
    /// <param name="ceilMode">Round the output size up (PyTorch's and ONNX's ceil_mode); not with <c>"same"</c>.</param>
    /// <param name="name">Layer name.</param>
    public MaxPooling2D(int poolSize = 2, int? strides = null, string padding = "valid",
                        (int Top, int Bottom, int Left, int Right)? explicitPadding = null, bool ceilMode = false, string? name = null)
        : base((poolSize, poolSize), strides is int s ? (s, s) : null, padding, explicitPadding, ceilMode, name)
    {
    }

    /// <summary>Creates the layer with separate sizes along H and W.</summary>
    /// <param name="poolSize">Window height and width.</param>
    /// <param name="strides">Window steps; the pool size when null (Keras's default).</param>
    /// <param name="padding"><c>"valid"</c> (none) or <c>"same"</c> (output ⌈input / stride⌉; case-insensitive).</param>
    /// <param name="explicitPadding">Pads (top, bottom, left, right), as ONNX gives them; replaces <paramref name="padding"/>.</param>
    /// <param name="ceilMode">Round the output size up (PyTorch's and ONNX's ceil_mode); not with <c>"same"</c>.</param>
    /// <param name="name">Layer name.</param>
    public MaxPooling2D((int Height, int Width) poolSize, (int Height, int Width)? strides = null, string padding = "valid",
                        (int Top, int Bottom, int Left, int Right)? explicitPadding = null, bool ceilMode = false, string? name = null)
        : base(poolSize, strides, padding, explicitPadding, ceilMode, name)
    {
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => Window.MaxPool(inputs);
}
