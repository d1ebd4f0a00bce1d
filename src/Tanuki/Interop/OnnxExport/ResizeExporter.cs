using Tanuki.Layers;
using static Tanuki.Interop.OnnxExport.OnnxAttributes;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// Resizing and RandomCrop (which resizes in inference) → Resize, with the half-pixel convention of
/// <c>torch.nn.functional.interpolate(align_corners: false)</c> that Tanuki's resizes use; the centre crop of
/// cropToAspectRatio → Slice. Resizes ONNX's Resize cannot express (area, antialiased downscaling) become two
/// matrix products whose matrices are read off Tanuki's own resize, which needs the input size to be fixed.
/// </summary>
internal static class ResizeExporter
{
    public static string Resizing(LayerExport e)
    {
        var r = (Resizing)e.Layer;
        OnnxValue x = e.Input;
        if (r.CropToAspectRatio) x = CenterCrop(e, x, r.Height, r.Width, "cropToAspectRatio");
        if (x.Shape[2] == r.Height && x.Shape[3] == r.Width) return x.Name;      // every mode keeps an image of the same size
        bool downscales = x.Shape[2] < 0 || x.Shape[3] < 0 || x.Shape[2] > r.Height || x.Shape[3] > r.Width;
        if (r.Interpolation == "area" || (r.Antialias && downscales && r.Interpolation is "bilinear" or "bicubic"))
            return Matrices(e, r, x);
        return Resize(e, x, r.Height, r.Width, r.Interpolation);
    }

    /// <summary>In inference RandomCrop keeps an image of its size and otherwise crops the centre to its aspect ratio and resizes (Keras's smart resize).</summary>
    public static string RandomCrop(LayerExport e)
    {
        var c = (RandomCrop)e.Layer;
        long h = e.Input.Shape[^2], w = e.Input.Shape[^1];
        if (h < 0 || w < 0)
            throw LayerExport.Unsupported($"in inference it resizes inputs of another size than {c.Height}×{c.Width}, which depends on the input's size, and that size is free here {Shapes.Format(e.Input.Shape)}; give the model's Input a fixed height and width");
        if (h == c.Height && w == c.Width) return e.Input.Name;
        OnnxValue cropped = CenterCrop(e, e.Input, c.Height, c.Width, "its inference resize");
        return cropped.Shape[2] == c.Height && cropped.Shape[3] == c.Width ? cropped.Name : Resize(e, cropped, c.Height, c.Width, "bilinear");
    }

    private static OnnxValue CenterCrop(LayerExport e, OnnxValue x, int height, int width, string what)
    {
        long h = x.Shape[2], w = x.Shape[3];
        if (h < 0 || w < 0)
            throw LayerExport.Unsupported($"{what} crops a window that depends on the input's size, which is free here {Shapes.Format(x.Shape)}; give the model's Input a fixed height and width");
        var (top, left, ch, cw) = ImageOps.CenterCropBox(h, w, height, width);
        if (ch == h && cw == w) return x;
        string y = e.Node("Slice", "crop", [x.Name, e.Ints("starts", top, left), e.Ints("ends", top + ch, left + cw), e.Ints("axes", 2, 3)]);
        return new OnnxValue(y, [x.Shape[0], x.Shape[1], ch, cw]);
    }

    /// <summary>ONNX's Resize to <c>height×width</c>; the sizes are built from the input's own batch and channels, so the batch stays free.</summary>
    private static string Resize(LayerExport e, OnnxValue x, int height, int width, string interpolation)
    {
        string batchAndChannels = e.Node("Slice", "batch_channels", [e.Node("Shape", "shape", [x.Name]), e.Ints("start", 0), e.Ints("end", 2)]);
        string sizes = e.Node("Concat", "sizes", [batchAndChannels, e.Ints("size", height, width)], Int("axis", 0));
        var attributes = interpolation switch
        {
            "bilinear" => new[] { String("mode", "linear"), String("coordinate_transformation_mode", "half_pixel") },
            // libtorch's bicubic kernel uses a = −0.75, ONNX's default, and clamps reads at the border as ONNX does.
            "bicubic" => [String("mode", "cubic"), String("coordinate_transformation_mode", "half_pixel"), Float("cubic_coeff_a", -0.75)],
            // libtorch's "nearest-exact" takes pixel floor((i + 0.5) · in / out): half-pixel centres rounded half up.
            _ => [String("mode", "nearest"), String("coordinate_transformation_mode", "half_pixel"), String("nearest_mode", "round_prefer_ceil")],
        };
        return e.Node("Resize", "resize", [x.Name, "", "", sizes], attributes);
    }

    /// <summary>
    /// A separable resize as <c>A_h · x · A_wᵀ</c>: column i of A_h is the resize of the i-th unit impulse along H, computed
    /// by the layer itself, so the exported weights are Tanuki's to the last bit of its kernel.
    /// </summary>
    private static string Matrices(LayerExport e, Resizing r, OnnxValue x)
    {
        long h = x.Shape[2], w = x.Shape[3];
        if (h < 0 || w < 0)
            throw LayerExport.Unsupported($"interpolation \"{r.Interpolation}\"{(r.Antialias ? " with antialias" : "")} has no ONNX Resize equivalent at opset 17, and " +
                                          $"is written as fixed matrices, which needs a fixed input size; this input is {Shapes.Format(x.Shape)}. Give the model's Input a fixed height and width");
        using var scope = torch.NewDisposeScope();
        Tensor rows, columns;
        using (torch.no_grad())
        {
            // N impulses of shape 1×n×1 (or 1×1×n): each comes out as one row (column) of weights; the other axis is 1 → Height or
            // Width, which every mode fills with the one value it has.
            rows = r.Interpolate(torch.eye(h).reshape(h, 1, h, 1))[.., 0, .., 0].t();        // Height × h
            columns = r.Interpolate(torch.eye(w).reshape(w, 1, 1, w))[.., 0, 0, ..];        // w × Width
        }
        string y = e.Node("MatMul", "rows", [e.Constant("rows", rows.contiguous()), x.Name]);
        return e.Node("MatMul", "columns", [y, e.Constant("columns", columns.contiguous())]);
    }
}
