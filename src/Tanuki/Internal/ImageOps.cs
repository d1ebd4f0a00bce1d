using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>Resizing and cropping of <c>N×C×H×W</c> float images, shared by the image loader and the preprocessing layers.</summary>
internal static class ImageOps
{
    /// <summary>The interpolation names Keras accepts for resizing that Tanuki implements.</summary>
    public static readonly string[] Interpolations = ["bilinear", "nearest", "bicubic", "area"];

    /// <summary>
    /// Resizes to <c>height×width</c> as <c>tf.image.resize</c> without antialiasing (half-pixel centres):
    /// "bilinear" matches it exactly, "nearest" rounds half-pixel centres, "bicubic" uses PyTorch's kernel
    /// (a = −0.75; TensorFlow's uses −0.5), "area" averages the covered pixels. The same size returns the input.
    /// </summary>
    public static Tensor Resize(Tensor images, int height, int width, string interpolation)
    {
        if (images.shape[^2] == height && images.shape[^1] == width) return images;
        return interpolation switch
        {
            "bilinear" => torch.nn.functional.interpolate(images, [height, width], mode: InterpolationMode.Bilinear, align_corners: false),
            "nearest" => torch.nn.functional.interpolate(images, [height, width], mode: InterpolationMode.NearestExact),
            "bicubic" => torch.nn.functional.interpolate(images, [height, width], mode: InterpolationMode.Bicubic, align_corners: false),
            "area" => torch.nn.functional.adaptive_avg_pool2d(images, [height, width]),
            _ => throw new ArgumentException($"Unknown interpolation. Expected one of {string.Join(", ", Interpolations.Select(i => $"\"{i}\""))}. Received: interpolation=\"{interpolation}\""),
        };
    }

    /// <summary>
    /// The largest centred window of an <c>inHeight×inWidth</c> image with the aspect ratio of
    /// <c>height×width</c>, computed as Keras's <c>smart_resize</c> does: (top, left, cropHeight, cropWidth).
    /// </summary>
    public static (int Top, int Left, int Height, int Width) CenterCropBox(long inHeight, long inWidth, int height, int width)
    {
        int cropHeight = (int)Math.Max(1, Math.Min(inHeight, (long)((double)inWidth * height / width)));
        int cropWidth = (int)Math.Max(1, Math.Min(inWidth, (long)((double)inHeight * width / height)));
        int top = (int)((inHeight - cropHeight) / 2.0);
        int left = (int)((inWidth - cropWidth) / 2.0);
        return (top, left, cropHeight, cropWidth);
    }

    /// <summary>Keras's <c>smart_resize</c>: crops the centred window of the target aspect ratio, then resizes to it.</summary>
    public static Tensor SmartResize(Tensor images, int height, int width, string interpolation)
    {
        var (top, left, h, w) = CenterCropBox(images.shape[^2], images.shape[^1], height, width);
        Tensor cropped = images.shape[^2] == h && images.shape[^1] == w
            ? images
            : images[TensorIndex.Ellipsis, TensorIndex.Slice(top, top + h), TensorIndex.Slice(left, left + w)];
        return Resize(cropped, height, width, interpolation);
    }

    /// <summary>
    /// The canvas Keras's <c>pad_to_aspect_ratio</c> puts an <c>inHeight×inWidth</c> image on before resizing it to
    /// <c>height×width</c>: the image keeps its pixels and gets <c>Top</c> rows of fill above and below, or
    /// <c>Left</c> columns left and right, so that the canvas has (nearly) the target aspect ratio and nothing is
    /// cropped or stretched.
    /// </summary>
    public static (int Top, int Left) PadBox(long inHeight, long inWidth, int height, int width)
    {
        long padHeight = Math.Max(inHeight, (long)((double)inWidth * height / width));
        long padWidth = Math.Max(inWidth, (long)((double)inHeight * width / height));
        return ((int)((padHeight - inHeight) / 2.0), (int)((padWidth - inWidth) / 2.0));
    }

    /// <summary>
    /// Keras's <c>pad_to_aspect_ratio</c>: pads the images with <paramref name="fill"/> (one value per channel) to
    /// the target aspect ratio, centred (<see cref="PadBox"/>), then resizes to <c>height×width</c>.
    /// </summary>
    public static Tensor PadResize(Tensor images, int height, int width, string interpolation, IReadOnlyList<double> fill)
    {
        var (top, left) = PadBox(images.shape[^2], images.shape[^1], height, width);
        if (top == 0 && left == 0) return Resize(images, height, width, interpolation);
        long channels = images.shape[^3];
        if (fill.Count != channels)
            throw new ArgumentException($"Expected one fill value per channel ({channels}). Received: {fill.Count} values.", nameof(fill));
        using var scope = NewDisposeScope();
        long[] shape = [.. images.shape[..^2], images.shape[^2] + 2 * top, images.shape[^1] + 2 * left];
        Tensor fillValues = torch.tensor(fill.Select(v => (float)v).ToArray(), dtype: images.dtype).reshape(channels, 1, 1);
        Tensor canvas = fillValues.expand(shape).clone();
        canvas[TensorIndex.Ellipsis, TensorIndex.Slice(top, top + images.shape[^2]), TensorIndex.Slice(left, left + images.shape[^1])] = images;
        return Resize(canvas, height, width, interpolation).MoveToOuterDisposeScope();
    }
}
