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
    /// <param name="padToAspectRatio">Pad to the target aspect ratio with <paramref name="background"/> before resizing,
    /// instead of stretching.</param>
    /// <param name="background">The colour transparent pixels are composited onto and padding is filled with; white when null.</param>
    /// <exception cref="InvalidDataException">The file is not a readable image (the message names it).</exception>
    public static Tensor LoadImage(string path, (int Height, int Width) imageSize, string colorMode = "rgb", string interpolation = "bilinear",
                                   bool cropToAspectRatio = false, bool padToAspectRatio = false, (byte R, byte G, byte B)? background = null)
    {
        if (cropToAspectRatio && padToAspectRatio)
            throw new ArgumentException("Only one of cropToAspectRatio and padToAspectRatio can be true. Received: both true.", nameof(padToAspectRatio));
        ArgumentNullException.ThrowIfNull(path);
        Guard.Positive(imageSize.Height);
        Guard.Positive(imageSize.Width);
        Guard.OneOf(colorMode, ["rgb", "grayscale", "rgba"]);
        Guard.OneOf(interpolation, ImageOps.Interpolations);
        if (!File.Exists(path)) throw new FileNotFoundException($"No image at '{path}'.", path);
        Backend.EnsureInitialized();
        CheckTargetSize(imageSize, nameof(imageSize));
        var fill = background ?? (255, 255, 255);
        return ImageDecoder.Decode(path, colorMode, fill, MaxImagePixels,
                                   image => ResizeDecoded(image, imageSize, interpolation, cropToAspectRatio, padToAspectRatio, fill, colorMode));
    }

    /// <summary>A decoded C×H×W image brought to <paramref name="size"/> (stretched, centre-cropped or padded), contiguous, in 0–255.</summary>
    private static Tensor ResizeDecoded(Tensor image, (int Height, int Width) size, string interpolation, bool crop, bool pad,
                                        (byte R, byte G, byte B) background, string colorMode)
    {
        Tensor batch = image.unsqueeze(0);
        Tensor resized = ResizeImage(batch, size, interpolation, crop, pad, background, colorMode);
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

    /// <summary>
    /// Reads one image file for <paramref name="model"/>: at its input size, brought there the way its training images
    /// were (<see cref="Model.ImageResize"/>), in its number of channels.
    /// </summary>
    /// <exception cref="ArgumentException">The model does not take fixed-size images N×C×H×W with 1, 3 or 4 channels.</exception>
    public static Tensor LoadImage(string path, Model model)
    {
        var (size, colorMode) = ModelImage(model);
        var (crop, pad) = model.ImageResize.ToAspectRatioFlags();
        return LoadImage(path, size, colorMode, cropToAspectRatio: crop, padToAspectRatio: pad);
    }

    /// <summary>
    /// As <see cref="LoadImage(string, Model)"/>, for an encoded image (JPEG, PNG, BMP, GIF or WebP) read from
    /// <paramref name="stream"/> to its end; the stream is not closed.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a readable image.</exception>
    public static Tensor LoadImage(Stream stream, Model model)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (size, colorMode) = ModelImage(model);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Backend.EnsureInitialized();
        CheckTargetSize(size, nameof(model));
        (byte, byte, byte) white = (255, 255, 255);
        var (crop, pad) = model.ImageResize.ToAspectRatioFlags();
        return ImageDecoder.Decode(buffer.ToArray(), "image stream", colorMode, white, MaxImagePixels,
                                   image => ResizeDecoded(image, size, "bilinear", crop, pad, white, colorMode));
    }

    /// <summary>The image size and colour mode <paramref name="model"/> takes; refuses a model that does not take fixed-size images.</summary>
    private static ((int Height, int Width) Size, string ColorMode) ModelImage(Model model)
    {
        ArgumentNullException.ThrowIfNull(model);
        long[] shape = model.Inputs.Count == 1 ? model.Inputs[0].Shape : [];
        if (shape.Length != 4 || shape[2] <= 0 || shape[3] <= 0 || shape[1] is not (1 or 3 or 4))
            throw new ArgumentException($"Model '{model.Name}' does not take fixed-size images: expected one input of shape (N, 1|3|4, H, W). Received: {(shape.Length == 0 ? "no single input" : Shapes.Format(shape))}", nameof(model));
        string colorMode = shape[1] switch { 1 => "grayscale", 4 => "rgba", _ => "rgb" };
        return (((int)shape[2], (int)shape[3]), colorMode);
    }

    /// <summary>Whether a file name has an image extension Tanuki reads (.jpg, .jpeg, .png, .bmp, .gif, .webp).</summary>
    public static bool IsImageFile(string path) => ImageDecoder.IsImageFile(path);
}
