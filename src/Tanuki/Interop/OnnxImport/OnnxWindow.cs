namespace Tanuki.Interop.OnnxImport;

/// <summary>The 2-D window attributes shared by Conv, MaxPool and AveragePool: kernel, strides, dilations, pads.</summary>
internal sealed record OnnxWindow((int, int) Kernel, (int, int) Strides, (int, int) Dilations, (int Top, int Bottom, int Left, int Right) Pads)
{
    /// <summary>
    /// SAME_UPPER on an input of free size: the pads depend on the size, so the layer gets padding "same" (TensorFlow's
    /// rule, which is SAME_UPPER's) instead of explicit pads.
    /// </summary>
    public bool SameUpper { get; init; }

    /// <summary>The layer's padding argument.</summary>
    public string Padding => SameUpper ? "same" : "valid";

    /// <summary>The layer's explicit pads (none with "same").</summary>
    public (int Top, int Bottom, int Left, int Right)? ExplicitPads => SameUpper ? null : Pads;

    /// <summary>
    /// Reads the attributes of a node whose input has <paramref name="inputShape"/> (N, C, H, W). Returns null and the
    /// problem when they cannot be expressed (not 2-D, SAME padding on an input of free size with strides, ...).
    /// </summary>
    public static OnnxWindow? Read(OnnxNode node, long[] kernel, long[] inputShape, out OnnxWindowProblem? problem)
    {
        problem = null;
        if (kernel.Length != 2)
            return Fail(out problem, $"only 2-D windows (inputs N×C×H×W) are imported; this one has {kernel.Length} spatial dimension{(kernel.Length == 1 ? "" : "s")}");
        long[] strides = node.Ints("strides") ?? [1, 1];
        long[] dilations = node.Ints("dilations") ?? [1, 1];
        if (strides.Length != 2 || dilations.Length != 2) return Fail(out problem, "strides and dilations must have 2 values for a 2-D window");
        if (strides.Any(s => s < 1) || dilations.Any(d => d < 1) || kernel.Any(k => k < 1)) return Fail(out problem, "kernel, strides and dilations must be positive");
        string autoPad = node.String("auto_pad", "NOTSET");
        long[] pads;
        switch (autoPad)
        {
            case "NOTSET":
                pads = node.Ints("pads") ?? [0, 0, 0, 0];
                if (pads.Length != 4 || pads.Any(p => p < 0)) return Fail(out problem, $"pads must be 4 non-negative values for a 2-D window; got [{string.Join(", ", pads)}]");
                break;
            case "VALID":
                pads = [0, 0, 0, 0];
                break;
            case "SAME_UPPER":
            case "SAME_LOWER":
                pads = new long[4];
                for (int a = 0; a < 2; a++)
                {
                    long size = inputShape.Length == 4 ? inputShape[a + 2] : -1;
                    long extent = (kernel[a] - 1) * dilations[a] + 1;
                    long total;
                    if (size > 0)
                    {
                        long output = (size + strides[a] - 1) / strides[a];
                        total = Math.Max(0, (output - 1) * strides[a] + extent - size);
                    }
                    else if (strides[a] == 1) total = extent - 1;     // independent of the size when the stride is 1
                    else if (autoPad == "SAME_UPPER")
                        return new OnnxWindow(((int)kernel[0], (int)kernel[1]), ((int)strides[0], (int)strides[1]), ((int)dilations[0], (int)dilations[1]), (0, 0, 0, 0)) { SameUpper = true };
                    else
                        return Fail(out problem, $"auto_pad SAME_LOWER with stride {strides[a]} depends on the input size, which is free here; fix it with OnnxImportOptions.InputShape", needsFixedSize: true);
                    long small = total / 2, large = total - small;
                    (pads[a], pads[a + 2]) = autoPad == "SAME_UPPER" ? (small, large) : (large, small);
                }
                break;
            default:
                return Fail(out problem, $"unknown auto_pad \"{autoPad}\"");
        }
        // ONNX orders pads as [H_begin, W_begin, H_end, W_end].
        return new OnnxWindow(((int)kernel[0], (int)kernel[1]), ((int)strides[0], (int)strides[1]), ((int)dilations[0], (int)dilations[1]),
                            ((int)pads[0], (int)pads[2], (int)pads[1], (int)pads[3]));
    }

    private static OnnxWindow? Fail(out OnnxWindowProblem problem, string message, bool needsFixedSize = false)
    {
        problem = new OnnxWindowProblem(message, needsFixedSize);
        return null;
    }
}
