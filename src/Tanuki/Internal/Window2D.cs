using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki;

/// <summary>
/// The geometry of a sliding window (convolution or pooling) over H and W of N×C×H×W inputs: kernel, strides,
/// dilation and padding — <c>"valid"</c>, <c>"same"</c> with TensorFlow's pads (output ⌈n / stride⌉, the odd
/// pixel of padding at the bottom/right, computed per input size), or explicit asymmetric pads as ONNX has — and
/// PyTorch's ceil mode. Output sizes and forward passes come from this one place, so they cannot disagree.
/// </summary>
internal sealed class Window2D
{
    private readonly Layer _layer;

    public Window2D(Layer layer, (int H, int W) kernel, (int H, int W) strides, (int H, int W) dilation, string padding,
                    (int Top, int Bottom, int Left, int Right)? explicitPadding, bool ceilMode)
    {
        _layer = layer;
        Kernel = kernel;
        Strides = strides;
        Dilation = dilation;
        Padding = padding;
        Explicit = explicitPadding;
        CeilMode = ceilMode;
    }

    public (int H, int W) Kernel { get; }
    public (int H, int W) Strides { get; }
    public (int H, int W) Dilation { get; }
    public string Padding { get; }
    public (int Top, int Bottom, int Left, int Right)? Explicit { get; }
    public bool CeilMode { get; }

    private bool Same => Explicit is null && Padding == "same";

    private int K(int axis) => axis == 0 ? Kernel.H : Kernel.W;
    private int S(int axis) => axis == 0 ? Strides.H : Strides.W;
    private long Extent(int axis) => (long)(axis == 0 ? Dilation.H : Dilation.W) * (K(axis) - 1) + 1;

    /// <summary>The pads before and after along H (axis 0) or W (axis 1) for an input of <paramref name="size"/>.</summary>
    public (long Before, long After) PadsAlong(int axis, long size)
    {
        if (Explicit is { } e) return axis == 0 ? (e.Top, e.Bottom) : (e.Left, e.Right);
        if (!Same) return (0, 0);
        long s = S(axis);
        long output = (size + s - 1) / s;
        long total = Math.Max((output - 1) * s + Extent(axis) - size, 0);
        return (total / 2, total - total / 2);
    }

    /// <summary>The output length along one axis; -1 for an unknown input size, 0 or less when the window does not fit.</summary>
    public long OutputLength(int axis, long size)
    {
        if (size < 0) return -1;
        long s = S(axis);
        if (Same) return (size + s - 1) / s;
        var (before, after) = PadsAlong(axis, size);
        long span = size + before + after - Extent(axis);
        if (span < 0) return 0;
        long n = (CeilMode ? (span + s - 1) / s : span / s) + 1;
        // PyTorch's rule: in ceil mode the last window must start inside the input or the leading padding.
        if (CeilMode && (n - 1) * s >= size + before) n--;
        return n;
    }

    /// <summary>The output H and W for an N×C×H×W shape; a clear error naming the layer when the window does not fit.</summary>
    public (long H, long W) OutputSize(long[] shape)
    {
        long h = OutputLength(0, shape[2]), w = OutputLength(1, shape[3]);
        if (h == 0 || w == 0)
            throw LayerArgs.Error(_layer,
                $"the input is too small for the window: kernel ({Kernel.H}, {Kernel.W}), strides ({Strides.H}, {Strides.W}), " +
                $"dilation ({Dilation.H}, {Dilation.W}), padding {Describe()} on input shape {Shapes.Format(shape)} leave an empty output. " +
                "Use a larger input or padding \"same\".");
        return (h, w);
    }

    private string Describe() => Explicit is { } e ? $"({e.Top}, {e.Bottom}, {e.Left}, {e.Right})" : $"\"{Padding}\"";

    private (long T, long B, long L, long R) Pads(Tensor x)
    {
        var (t, b) = Symmetric(0, x.shape[2], PadsAlong(0, x.shape[2]));
        var (l, r) = Symmetric(1, x.shape[3], PadsAlong(1, x.shape[3]));
        return (t, b, l, r);
    }

    /// <summary>
    /// Asymmetric pads whose extra row or column no window ever reads (CNTK's stride-2 layers on even sizes, TensorFlow's
    /// "same" on most sizes) give the same windows as the leading pad on both sides — which libtorch does natively,
    /// without copying the input into a padded tensor. Same window starts (i·stride − before), same output length.
    /// </summary>
    private (long Before, long After) Symmetric(int axis, long size, (long Before, long After) pads)
    {
        if (pads.Before == pads.After || CeilMode) return pads;
        long s = S(axis);
        long span = size + 2 * pads.Before - Extent(axis);
        if (span < 0) return pads;
        long symmetric = span / s + 1;
        long actual = (size + pads.Before + pads.After - Extent(axis)) / s + 1;
        return symmetric == actual ? (pads.Before, pads.Before) : pads;
    }

    /// <summary>
    /// A convolution; pads the input first only when the pads are asymmetric (libtorch pads symmetrically). In bfloat16
    /// where <see cref="MixedPrecision"/> says so.
    /// </summary>
    public Tensor Convolve(Tensor x, Tensor kernel, Tensor? bias, long groups)
    {
        OutputSize(x.shape);
        x = MixedPrecision.Input(x);
        kernel = MixedPrecision.Like(kernel, x);
        if (bias is not null) bias = MixedPrecision.Like(bias, x);
        var (t, b, l, r) = Pads(x);
        long[] strides = [Strides.H, Strides.W], dilation = [Dilation.H, Dilation.W];
        if (t == b && l == r) return F.conv2d(x, kernel, bias, strides, [t, l], dilation, groups);
        return F.conv2d(F.pad(x, [l, r, t, b]), kernel, bias, strides, [0, 0], dilation, groups);
    }

    // libtorch's pooling pads symmetrically and at most half the kernel; other pads take the general path.
    private bool NativePads((long T, long B, long L, long R) p) =>
        p.T == p.B && p.L == p.R && p.T <= Kernel.H / 2 && p.L <= Kernel.W / 2;

    /// <summary>Max pooling, padding counting as −∞ (so it is never the maximum).</summary>
    public Tensor MaxPool(Tensor x)
    {
        var (outH, outW) = OutputSize(x.shape);
        var p = Pads(x);
        long[] kernel = [Kernel.H, Kernel.W], strides = [Strides.H, Strides.W];
        if (NativePads(p)) return F.max_pool2d(x, kernel, strides, [p.T, p.L], [1, 1], CeilMode);
        var (eh, ew) = CeilOverhang(x, p, outH, outW);
        Tensor padded = F.pad(x, [p.L, p.R + ew, p.T, p.B + eh], PaddingModes.Constant, double.NegativeInfinity);
        return Crop(F.max_pool2d(padded, kernel, strides, [0, 0], [1, 1], false), outH, outW);
    }

    /// <summary>
    /// Average pooling. With <paramref name="countIncludePad"/> false the divisor is the number of input pixels in
    /// the window (TensorFlow's "same", ONNX's default); with true it also counts the padding (never the part of a
    /// ceil-mode window beyond it), as PyTorch does.
    /// </summary>
    public Tensor AvgPool(Tensor x, bool countIncludePad)
    {
        var (outH, outW) = OutputSize(x.shape);
        var p = Pads(x);
        long[] kernel = [Kernel.H, Kernel.W], strides = [Strides.H, Strides.W];
        if (NativePads(p)) return F.avg_pool2d(x, kernel, strides, [p.T, p.L], CeilMode, countIncludePad);
        // General path: window sums over an explicitly padded input, divided by window sums of a mask of the
        // positions that count.
        var (eh, ew) = CeilOverhang(x, p, outH, outW);
        long h = x.shape[2], w = x.shape[3];
        Tensor sums = Crop(F.avg_pool2d(F.pad(x, [p.L, p.R + ew, p.T, p.B + eh]), kernel, strides, [0, 0], false, true), outH, outW);
        Tensor mask = countIncludePad
            ? F.pad(torch.ones(1, 1, h + p.T + p.B, w + p.L + p.R, dtype: x.dtype, device: x.device), [0, ew, 0, eh])
            : F.pad(torch.ones(1, 1, h, w, dtype: x.dtype, device: x.device), [p.L, p.R + ew, p.T, p.B + eh]);
        Tensor counts = Crop(F.avg_pool2d(mask, kernel, strides, [0, 0], false, true), outH, outW);
        return sums / counts;
    }

    // Extra bottom/right padding so that plain (floor) pooling yields the ceil-mode number of windows.
    private (long H, long W) CeilOverhang(Tensor x, (long T, long B, long L, long R) p, long outH, long outW) =>
        (Math.Max(0, (outH - 1) * Strides.H + Kernel.H - (x.shape[2] + p.T + p.B)),
         Math.Max(0, (outW - 1) * Strides.W + Kernel.W - (x.shape[3] + p.L + p.R)));

    private static Tensor Crop(Tensor y, long h, long w) =>
        y.shape[2] == h && y.shape[3] == w ? y : y.narrow(2, 0, h).narrow(3, 0, w);
}
