using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Average pooling over H and W of N×C×H×W inputs. By default the average is over the input pixels in each window
/// only, as Keras does with <c>"same"</c> padding and ONNX does by default; <c>countIncludePad</c> also counts the
/// padding, as PyTorch does by default.
/// </summary>
public sealed class AveragePooling2D : Pooling2D
{
    /// <summary>Creates the layer with a square window.</summary>
    /// <param name="poolSize">Window height and width.</param>
    /// <param name="strides">Window step; the pool size when null (Keras's default).</param>
    /// <param name="padding"><c>"valid"</c> (none) or <c>"same"</c> (output ⌈input / stride⌉; case-insensitive).</param>
    /// <param name="explicitPadding">Zero pads (top, bottom, left, right), as ONNX gives them; replaces <paramref name="padding"/>.</param>
    /// <param name="ceilMode">Round the output size up (PyTorch's and ONNX's ceil_mode); not with <c>"same"</c>.</param>
    /// <param name="countIncludePad">Whether padded positions count in the divisor.</param>
    /// <param name="name">Layer name.</param>
    public AveragePooling2D(int poolSize = 2, int? strides = null, string padding = "valid",
                            (int Top, int Bottom, int Left, int Right)? explicitPadding = null, bool ceilMode = false,
                            bool countIncludePad = false, string? name = null)
        : base((poolSize, poolSize), strides is int s ? (s, s) : null, padding, explicitPadding, ceilMode, name)
    {
        CountIncludePad = countIncludePad;
    }

    /// <summary>Creates the layer with separate sizes along H and W.</summary>
    /// <param name="poolSize">Window height and width.</param>
    /// <param name="strides">Window steps; the pool size when null (Keras's default).</param>
    /// <param name="padding"><c>"valid"</c> (none) or <c>"same"</c> (output ⌈input / stride⌉; case-insensitive).</param>
    /// <param name="explicitPadding">Zero pads (top, bottom, left, right), as ONNX gives them; replaces <paramref name="padding"/>.</param>
    /// <param name="ceilMode">Round the output size up (PyTorch's and ONNX's ceil_mode); not with <c>"same"</c>.</param>
    /// <param name="countIncludePad">Whether padded positions count in the divisor.</param>
    /// <param name="name">Layer name.</param>
    public AveragePooling2D((int Height, int Width) poolSize, (int Height, int Width)? strides = null, string padding = "valid",
                            (int Top, int Bottom, int Left, int Right)? explicitPadding = null, bool ceilMode = false,
                            bool countIncludePad = false, string? name = null)
        : base(poolSize, strides, padding, explicitPadding, ceilMode, name)
    {
        CountIncludePad = countIncludePad;
    }

    /// <summary>Whether padded positions count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => Window.AvgPool(inputs, CountIncludePad);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["count_include_pad"] = CountIncludePad;
        return config;
    }
}
