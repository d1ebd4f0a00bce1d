using static TorchSharp.torch;

namespace Tanuki.Data;

public sealed partial class ImageDataset
{
    /// <summary>
    /// Reads one image file the way <see cref="FromDirectory"/> reads each of its images (Keras's <c>load_img</c> and
    /// <c>img_to_array</c> in one): decoded with EXIF orientation applied, alpha composited onto white, resized, as a
    /// C×H×W float32 tensor in 0–255.
    /// </summary>
    /// <param name="path">A JPEG, PNG, BMP, GIF or WebP file.</param>
    /// <param name="imageSize">Height and width to resize to.</param>
    /// <param name="colorMode"><c>"rgb"</c>, <c>"grayscale"</c> or <c>"rgba"</c>.</param>
    /// <param name="interpolation"><c>"bilinear"</c>, <c>"nearest"</c>, <c>"bicubic"</c> or <c>"area"</c>.</param>
    /// <param name="cropToAspectRatio">Crop the centre to the target aspect ratio before resizing, instead of stretching.</param>
    /// <exception cref="InvalidDataException">The file is not a readable image (the message names it).</exception>
    public static Tensor LoadImage(string path, (int Height, int Width) imageSize, string colorMode = "rgb", string interpolation = "bilinear",
                                   bool cropToAspectRatio = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        Guard.Positive(imageSize.Height);
        Guard.Positive(imageSize.Width);
        Guard.OneOf(colorMode, ["rgb", "grayscale", "rgba"]);
        Guard.OneOf(interpolation, ImageOps.Interpolations);
        if (!File.Exists(path)) throw new FileNotFoundException($"No image at '{path}'.", path);
        Backend.EnsureInitialized();
        CheckTargetSize(imageSize, nameof(imageSize));
        return ImageDecoder.Decode(path, colorMode, (255, 255, 255), MaxImagePixels,
                                   image => ResizeDecoded(image, imageSize, interpolation, cropToAspectRatio));
    }

    /// <summary>A decoded C×H×W image resized (or centre-cropped and resized) to <paramref name="size"/>, contiguous, in 0–255.</summary>
    private static Tensor ResizeDecoded(Tensor image, (int Height, int Width) size, string interpolation, bool cropToAspectRatio)
    {
        Tensor batch = image.unsqueeze(0);
        Tensor resized = cropToAspectRatio
            ? ImageOps.SmartResize(batch, size.Height, size.Width, interpolation)
            : ImageOps.Resize(batch, size.Height, size.Width, interpolation);
        if (ReferenceEquals(resized, batch)) return resized.squeeze(0).contiguous();
        // Interpolation may overshoot the range a little (float weights, bicubic ringing): keep the documented 0–255.
        using Scalar lo = 0, hi = 255;
        return resized.clamp(lo, hi).squeeze(0).contiguous();
    }

    /// <summary>Refuses a target size whose images alone would be larger than <see cref="MaxImagePixels"/> allows a decoded image to be.</summary>
    private static void CheckTargetSize((int Height, int Width) imageSize, string name)
    {
        long pixels = (long)imageSize.Height * imageSize.Width;
        if (pixels > MaxImagePixels)
            throw new ArgumentOutOfRangeException(name, imageSize,
                $"imageSize {imageSize.Height}×{imageSize.Width} is {pixels / 1e6:0.#} megapixels per image, more than ImageDataset.MaxImagePixels " +
                $"({MaxImagePixels / 1e6:0.#} megapixels), the largest image Tanuki decodes or makes. Use a smaller size (ResNet-18 was trained at 224×224), " +
                "or raise ImageDataset.MaxImagePixels if the machine has the memory.");
    }

    /// <summary>Whether a file name has an image extension Tanuki reads (.jpg, .jpeg, .png, .bmp, .gif, .webp).</summary>
    public static bool IsImageFile(string path) => ImageDecoder.IsImageFile(path);
}
