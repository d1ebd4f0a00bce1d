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

    /// <summary>
    /// Decodes a whole image and hands it to <paramref name="resize"/>: <c>C×H×W</c> float32 in 0–255, C = 3 (rgb),
    /// 1 (grayscale) or 4 (rgba). The pixels are decoded straight into native memory and kept as bytes until the
    /// channels that stay are converted, about 24 bytes per pixel at the peak (rgb with transparency); and the images
    /// decoded at once on all threads together hold at most <paramref name="maxPixels"/> pixels (see
    /// <see cref="DecodeMemory"/>), so a folder of 100-megapixel images decoded on many threads cannot multiply the peak.
    /// </summary>
    public static Tensor Decode(string path, string colorMode, (byte R, byte G, byte B) background, long maxPixels, Func<Tensor, Tensor> resize)
    {
        CheckNotEmpty(path);
        using var data = SKData.Create(path) ?? throw new InvalidDataException($"'{path}' could not be read.");
        using var codec = SKCodec.Create(data) ?? throw NotAnImage(path, SKCodecResult.InvalidInput);
        CheckSize(path, codec.Info, maxPixels);
        if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg) JpegScan.Check(path, data.AsSpan());
        return Decode(codec, path, colorMode, background, maxPixels, resize);
    }

    /// <summary>
    /// As <see cref="Decode(string, string, ValueTuple{byte, byte, byte}, long, Func{Tensor, Tensor})"/>, for an encoded
    /// image in memory (a stream's bytes); <paramref name="name"/> stands for the file in error messages.
    /// </summary>
    public static Tensor Decode(byte[] encoded, string name, string colorMode, (byte R, byte G, byte B) background, long maxPixels, Func<Tensor, Tensor> resize)
    {
        if (encoded.Length == 0) throw new InvalidDataException($"'{name}' is empty (0 bytes), so it is not an image.");
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException($"'{name}' is not an image that can be decoded (JPEG, PNG, BMP, GIF or WebP); it starts with the bytes {Convert.ToHexString(encoded, 0, Math.Min(encoded.Length, 8))}.");
        CheckSize(name, codec.Info, maxPixels);
        if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg)
        {
            string? problem;
            try { problem = JpegScan.Find(encoded); }
            catch (IndexOutOfRangeException) { problem = "its markers run past the end of the data"; }
            if (problem is not null) throw new InvalidDataException($"'{name}' is a damaged or truncated JPEG: {problem}. Decoders show the rest of such an image as grey.");
        }
        return Decode(codec, name, colorMode, background, maxPixels, resize);
    }

    private static Tensor Decode(SKCodec codec, string path, string colorMode, (byte R, byte G, byte B) background, long maxPixels, Func<Tensor, Tensor> resize)
    {
        SKImageInfo info = codec.Info;
        bool gray = colorMode == "grayscale" && info.ColorType == SKColorType.Gray8;
        int channels = gray ? 1 : 4;
        long bytes = (long)info.Width * info.Height * channels;
        if (bytes > int.MaxValue)
            throw new InvalidDataException($"'{path}' is {info.Width}×{info.Height} pixels: its decoded pixels would take {bytes / 1e9:0.#} GB, more than the 2 GB one image may. Downscale the image.");
        var target = new SKImageInfo(info.Width, info.Height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);

        using IDisposable reservation = DecodeMemory.Reserve((long)info.Width * info.Height, maxPixels);
        using var scope = NewDisposeScope();
        Tensor hwc = torch.empty([info.Height, info.Width, channels], ScalarType.Byte);
        SKCodecResult result;
        unsafe
        {
            fixed (byte* pixels = hwc.bytes) result = codec.GetPixels(target, (IntPtr)pixels);
        }
        if (result != SKCodecResult.Success) throw DecodeFailed(path, codec.EncodedFormat, result);
        hwc = Orient(hwc, codec.EncodedOrigin);                 // on bytes: a quarter of the memory of floats
        Tensor image = gray ? Floats(hwc, 1) : ToColorMode(hwc, colorMode, background, hasAlpha: info.AlphaType != SKAlphaType.Opaque);
        return resize(image).MoveToOuterDisposeScope();
    }

    /// <summary>The first <paramref name="channels"/> channels of an H×W×C byte image as a contiguous C×H×W float32 tensor.</summary>
    private static Tensor Floats(Tensor hwc, int channels)
    {
        Tensor chw = torch.empty([channels, hwc.shape[0], hwc.shape[1]], ScalarType.Float32);
        chw.copy_(hwc[TensorIndex.Ellipsis, TensorIndex.Slice(0, channels)].permute(2, 0, 1));
        return chw;
    }

    /// <summary>RGBA (unpremultiplied, 0–255, H×W×4 bytes) to the colour mode, C×H×W float32; alpha composited onto the background for rgb and grayscale.</summary>
    private static Tensor ToColorMode(Tensor rgba, string colorMode, (byte R, byte G, byte B) background, bool hasAlpha)
    {
        if (colorMode == "rgba") return Floats(rgba, 4);
        Tensor rgb = Floats(rgba, 3);
        if (hasAlpha)
        {
            // (c·a + bg·(255 − a)) / 255 in integers before the one division: exact for opaque and clear pixels.
            // In place, one channel of temporaries at a time.
            Tensor a = Floats(rgba[TensorIndex.Ellipsis, TensorIndex.Slice(3, 4)], 1);
            rgb.mul_(a);
            using Scalar full = 255;
            Tensor clear = a.neg_().add_(full, Scalars.One);     // 255 − a, in a's memory
            byte[] bg = [background.R, background.G, background.B];
            for (int c = 0; c < 3; c++)
            {
                using Scalar weight = bg[c];
                rgb[c].add_(clear[0], alpha: weight);
            }
            rgb.div_(full);
        }
        if (colorMode == "rgb") return rgb;
        // ITU-R 601 luma, rounded as an 8-bit grayscale decode would be.
        Tensor weights = torch.tensor(new float[] { 0.299f, 0.587f, 0.114f }).reshape(3, 1, 1);
        using Scalar lo = 0, hi = 255;
        return (rgb * weights).sum(0, keepdim: true).round_().clamp_(lo, hi);
    }

    /// <summary>Applies the EXIF orientation to an H×W×C image, so that it is upright as a viewer shows it.</summary>
    private static Tensor Orient(Tensor hwc, SKEncodedOrigin origin) => origin switch
    {
        SKEncodedOrigin.TopRight => hwc.flip(1),                       // mirrored
        SKEncodedOrigin.BottomRight => hwc.flip(0, 1),                 // rotated 180°
        SKEncodedOrigin.BottomLeft => hwc.flip(0),                     // mirrored vertically
        SKEncodedOrigin.LeftTop => hwc.transpose(0, 1),                // transposed
        SKEncodedOrigin.RightTop => hwc.transpose(0, 1).flip(1),       // needs 90° clockwise
        SKEncodedOrigin.RightBottom => hwc.transpose(0, 1).flip(0, 1), // transversed
        SKEncodedOrigin.LeftBottom => hwc.transpose(0, 1).flip(0),     // needs 90° counter-clockwise
        _ => hwc,
    };

    private static void CheckNotEmpty(string path)
    {
        var file = new FileInfo(path);
        if (file.LinkTarget is string target && file.ResolveLinkTarget(returnFinalTarget: true) is not { Exists: true })
            throw new InvalidDataException($"'{path}' is a symbolic link to '{target}', which does not exist. Delete the link, or restore what it points to.");
        if (!file.Exists)
            throw new InvalidDataException($"'{path}' does not exist (it was deleted or moved while the images were being read).");
        if (file.Length == 0)
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
