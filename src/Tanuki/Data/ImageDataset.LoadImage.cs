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
        Tensor image = ImageDecoder.Decode(path, colorMode, (255, 255, 255), MaxImagePixels);
        using var scope = NewDisposeScope();
        scope.Attach(image);
        Tensor batch = image.unsqueeze(0);
        Tensor resized = cropToAspectRatio
            ? ImageOps.SmartResize(batch, imageSize.Height, imageSize.Width, interpolation)
            : ImageOps.Resize(batch, imageSize.Height, imageSize.Width, interpolation);
        Tensor x = (ReferenceEquals(resized, batch) ? resized : resized.clamp(0, 255)).squeeze(0).contiguous();
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Whether a file name has an image extension Tanuki reads (.jpg, .jpeg, .png, .bmp, .gif, .webp).</summary>
    public static bool IsImageFile(string path) => ImageDecoder.IsImageFile(path);
}
