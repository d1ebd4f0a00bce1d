using SkiaSharp;
using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>
/// Decodes image files with SkiaSharp into <c>C×H×W</c> float32 tensors in 0–255, as Keras's loader sees them:
/// EXIF orientation applied, palette and grayscale images expanded, transparency composited onto a background
/// colour (never silently onto black), 16-bit images reduced to 8 bits, the first frame of an animation. Errors
/// are <see cref="InvalidDataException"/>s that name the file, say what is wrong and what to do.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>The file extensions read (lower case), as Keras's list plus WebP.</summary>
    public static readonly string[] Extensions = [".bmp", ".gif", ".jpeg", ".jpg", ".png", ".webp"];

    public static bool IsImageFile(string path) => Extensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>Reads the header only (no pixels) and checks the size against <paramref name="maxPixels"/>.</summary>
    public static (int Width, int Height) ReadHeader(string path, long maxPixels)
    {
        CheckNotEmpty(path);
        using var stream = File.OpenRead(path);
        using var codec = SKCodec.Create(stream, out SKCodecResult result) ?? throw NotAnImage(path, result);
        CheckSize(path, codec.Info, maxPixels);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>Decodes a whole image: <c>C×H×W</c> float32 in 0–255, C = 3 (rgb), 1 (grayscale) or 4 (rgba).</summary>
    public static Tensor Decode(string path, string colorMode, (byte R, byte G, byte B) background, long maxPixels)
    {
        CheckNotEmpty(path);
        using var data = SKData.Create(path) ?? throw new InvalidDataException($"'{path}' could not be read.");
        using var codec = SKCodec.Create(data) ?? throw NotAnImage(path, SKCodecResult.InvalidInput);
        SKImageInfo info = codec.Info;
        CheckSize(path, info, maxPixels);
        bool gray = colorMode == "grayscale" && info.ColorType == SKColorType.Gray8;
        var target = new SKImageInfo(info.Width, info.Height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var pixels = new byte[target.BytesSize];
        SKCodecResult result = codec.GetPixels(target, pixels);
        if (result != SKCodecResult.Success) throw DecodeFailed(path, codec.EncodedFormat, result);

        using var scope = NewDisposeScope();
        Tensor hwc = torch.tensor(pixels, [info.Height, info.Width, gray ? 1 : 4]);
        Tensor image = hwc.permute(2, 0, 1).to_type(ScalarType.Float32);
        if (!gray) image = ToColorMode(image, colorMode, background, hasAlpha: info.AlphaType != SKAlphaType.Opaque);
        image = Orient(image, codec.EncodedOrigin).contiguous();
        return image.DetachFromDisposeScope();
    }

    /// <summary>RGBA (unpremultiplied, 0–255) to the colour mode; alpha composited onto the background for rgb and grayscale.</summary>
    private static Tensor ToColorMode(Tensor rgba, string colorMode, (byte R, byte G, byte B) background, bool hasAlpha)
    {
        if (colorMode == "rgba") return rgba;
        Tensor rgb = rgba[..3];
        if (hasAlpha)
        {
            // (c·a + bg·(255 − a)) / 255 in integers before the one division: exact for opaque and clear pixels.
            Tensor a = rgba[3..];
            Tensor bg = torch.tensor(new float[] { background.R, background.G, background.B }).reshape(3, 1, 1);
            rgb = (rgb * a + bg * (255 - a)) / 255;
        }
        if (colorMode == "rgb") return rgb;
        // ITU-R 601 luma, rounded as an 8-bit grayscale decode would be.
        Tensor weights = torch.tensor(new float[] { 0.299f, 0.587f, 0.114f }).reshape(3, 1, 1);
        return (rgb * weights).sum(0, keepdim: true).round_().clamp_(0, 255);
    }

    /// <summary>Applies the EXIF orientation, so that the image is upright as a viewer shows it.</summary>
    private static Tensor Orient(Tensor chw, SKEncodedOrigin origin) => origin switch
    {
        SKEncodedOrigin.TopRight => chw.flip(2),                       // mirrored
        SKEncodedOrigin.BottomRight => chw.flip(1, 2),                 // rotated 180°
        SKEncodedOrigin.BottomLeft => chw.flip(1),                     // mirrored vertically
        SKEncodedOrigin.LeftTop => chw.transpose(1, 2),                // transposed
        SKEncodedOrigin.RightTop => chw.transpose(1, 2).flip(2),       // needs 90° clockwise
        SKEncodedOrigin.RightBottom => chw.transpose(1, 2).flip(1, 2), // transversed
        SKEncodedOrigin.LeftBottom => chw.transpose(1, 2).flip(1),     // needs 90° counter-clockwise
        _ => chw,
    };

    private static void CheckNotEmpty(string path)
    {
        if (new FileInfo(path).Length == 0)
            throw new InvalidDataException($"'{path}' is empty (0 bytes), so it is not an image. Delete it or copy it again.");
    }

    private static void CheckSize(string path, SKImageInfo info, long maxPixels)
    {
        if (info.Width <= 0 || info.Height <= 0)
            throw new InvalidDataException($"'{path}' declares an image of {info.Width}×{info.Height} pixels; the file is corrupt.");
        long pixels = (long)info.Width * info.Height;
        if (pixels > maxPixels)
            throw new InvalidDataException(
                $"'{path}' is {info.Width}×{info.Height} pixels ({pixels / 1e6:0.#} megapixels), more than ImageDataset.MaxImagePixels " +
                $"({maxPixels / 1e6:0.#} megapixels). It was rejected from its header, before decoding, so that it cannot exhaust memory. " +
                "Downscale the image, or raise ImageDataset.MaxImagePixels if you trust the file.");
    }

    private static InvalidDataException NotAnImage(string path, SKCodecResult result)
    {
        string looksLike = DescribeStart(path);
        return new InvalidDataException(
            $"'{path}' is not an image that can be decoded (JPEG, PNG, BMP, GIF or WebP){looksLike} — decoder: {result}. " +
            "It may be another kind of file with an image extension, or damaged; delete or replace it.");
    }

    private static InvalidDataException DecodeFailed(string path, SKEncodedImageFormat format, SKCodecResult result) => result switch
    {
        SKCodecResult.IncompleteInput => new InvalidDataException(
            $"'{path}' is truncated: its {format} data ends before the whole image is decoded (an interrupted download or copy?). Copy it again or delete it."),
        SKCodecResult.ErrorInInput => new InvalidDataException(
            $"'{path}' is corrupt: its {format} data has an error part-way through the image. Copy it again or delete it."),
        _ => new InvalidDataException($"'{path}' could not be decoded as {format}: {result}."),
    };

    /// <summary>A hint of what a non-image file is: its first bytes as text when they are printable.</summary>
    private static string DescribeStart(string path)
    {
        try
        {
            var buffer = new byte[16];
            int n;
            using (var stream = File.OpenRead(path)) n = stream.Read(buffer, 0, buffer.Length);
            if (n == 0) return "";
            bool text = buffer.Take(n).All(b => b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t');
            return text
                ? $"; it starts with the text \"{System.Text.Encoding.ASCII.GetString(buffer, 0, n).ReplaceLineEndings(" ")}\""
                : $"; it starts with the bytes {Convert.ToHexString(buffer, 0, Math.Min(n, 8))}";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
