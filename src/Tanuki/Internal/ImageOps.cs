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
}
