using Tanuki.Layers;
using static Tanuki.Interop.OnnxExport.OnnxAttributes;

namespace Tanuki.Interop.OnnxExport;

/// <summary>Flatten, Reshape, Permute, Slice, Pad, ZeroPadding2D → Flatten, Reshape, Transpose, Slice, Pad. The batch axis stays first and free.</summary>
internal static class ShapeExporters
{
    public static string Flatten(LayerExport e) => e.Node("Flatten", "flatten", [e.Input.Name], Int("axis", 1));

    /// <summary>The target shape after a 0, which copies the input's batch size (so it stays free).</summary>
    public static string Reshape(LayerExport e) =>
        e.Node("Reshape", "reshape", [e.Input.Name, e.Ints("shape", [0, .. ((Reshape)e.Layer).TargetShape])]);

    public static string Permute(LayerExport e) =>
        e.Node("Transpose", "transpose", [e.Input.Name], Ints("perm", [0, .. ((Permute)e.Layer).Dims.Select(d => (long)d)]));

    /// <summary>ONNX's Slice clamps its bounds to the axis as Python (and the layer) do, negative ones counting from the end.</summary>
    public static string Slice(LayerExport e)
    {
        var s = (Layers.Slice)e.Layer;
        long axis = s.Axis < 0 ? s.Axis + e.Input.Rank : s.Axis;
        string[] inputs = [e.Input.Name, e.Ints("starts", s.Start), e.Ints("ends", s.End), e.Ints("axes", axis)];
        return e.Node("Slice", "slice", s.Step == 1 ? inputs : [.. inputs, e.Ints("steps", s.Step)]);
    }

    /// <summary>The layer's (before, after) pairs per axis after the batch become ONNX's begins then ends, batch first.</summary>
    public static string Pad(LayerExport e)
    {
        var p = (Pad)e.Layer;
        int axes = p.Padding.Length / 2;
        long[] pads = new long[2 * (axes + 1)];
        for (int a = 0; a < axes; a++)
        {
            pads[a + 1] = p.Padding[2 * a];
            pads[axes + 1 + a + 1] = p.Padding[2 * a + 1];
        }
        return Write(e, pads, p.Mode, p.ConstantValue);
    }

    public static string ZeroPadding2D(LayerExport e)
    {
        var (top, bottom, left, right) = ((ZeroPadding2D)e.Layer).Padding;
        return Write(e, [0, 0, top, left, 0, 0, bottom, right], "constant", 0);
    }

    private static string Write(LayerExport e, long[] pads, string mode, double value)
    {
        if (pads.All(p => p == 0)) return e.Input.Name;
        string[] inputs = mode == "constant" ? [e.Input.Name, e.Ints("pads", pads), e.Scalar("value", value)] : [e.Input.Name, e.Ints("pads", pads)];
        return e.Node("Pad", "pad", inputs, String("mode", mode));
    }
}
