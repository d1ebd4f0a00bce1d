using SkiaSharp;

namespace Deploy;

/// <summary>
/// Encoded image bytes → the model's input, as Tanuki's own loader (<c>ImageDataset.LoadImage</c>) makes it, so the service
/// sees what <c>tanuki predict</c> sees: decoded with SkiaSharp, transparency composited onto white, EXIF orientation
/// applied, resized bilinearly with half-pixel centres (<c>interpolate(align_corners: false)</c>, no antialiasing), values
/// in 0–255, RGB planes (channels first).
/// </summary>
public static class ImageTensor
{
    /// <summary>The largest image decoded, in pixels (checked from the header, before decoding).</summary>
    public const long MaxPixels = 50_000_000;

    /// <summary>Decodes and resizes to <paramref name="height"/>×<paramref name="width"/>: 3·H·W floats, R plane, then G, then B.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an image that can be decoded, or it is too large.</exception>
    public static float[] Decode(byte[] encoded, int height, int width)
    {
        using var data = SKData.CreateCopy(encoded);
        using var codec = SKCodec.Create(data)
            ?? throw new InvalidDataException("the request body is not an image that can be decoded (JPEG, PNG, BMP, GIF or WebP)");
        SKImageInfo info = codec.Info;
        if ((long)info.Width * info.Height > MaxPixels)
            throw new InvalidDataException($"the image is {info.Width}×{info.Height} pixels, more than {MaxPixels:N0}");
        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[target.BytesSize];
        SKCodecResult result = codec.GetPixels(target, rgba);
        if (result != SKCodecResult.Success) throw new InvalidDataException($"the {codec.EncodedFormat} image could not be decoded: {result}");
        float[] rgb = Oriented(ToRgb(rgba, info.AlphaType != SKAlphaType.Opaque), info.Width, info.Height, codec.EncodedOrigin, out int h, out int w);
        return h == height && w == width ? rgb : Resize(rgb, h, w, height, width);
    }

    /// <summary>RGBA bytes (unpremultiplied) → RGB planes, transparency composited onto white as Tanuki does.</summary>
    private static float[] ToRgb(byte[] rgba, bool hasAlpha)
    {
        int n = rgba.Length / 4;
        var planes = new float[3 * n];
        for (int i = 0; i < n; i++)
        {
            float a = rgba[4 * i + 3];
            for (int c = 0; c < 3; c++)
            {
                float v = rgba[4 * i + c];
                planes[c * n + i] = hasAlpha ? (v * a + 255f * (255 - a)) / 255 : v;
            }
        }
        return planes;
    }

    /// <summary>Applies the EXIF orientation: the image upright as a viewer shows it (a transpose, then flips).</summary>
    private static float[] Oriented(float[] planes, int width, int height, SKEncodedOrigin origin, out int outHeight, out int outWidth)
    {
        var (transpose, flipV, flipH) = origin switch
        {
            SKEncodedOrigin.TopRight => (false, false, true),
            SKEncodedOrigin.BottomRight => (false, true, true),
            SKEncodedOrigin.BottomLeft => (false, true, false),
            SKEncodedOrigin.LeftTop => (true, false, false),
            SKEncodedOrigin.RightTop => (true, false, true),
            SKEncodedOrigin.RightBottom => (true, true, true),
            SKEncodedOrigin.LeftBottom => (true, true, false),
            _ => (false, false, false),
        };
        (outHeight, outWidth) = transpose ? (width, height) : (height, width);
        if (!transpose && !flipV && !flipH) return planes;
        int n = width * height;
        var result = new float[planes.Length];
        for (int y = 0; y < outHeight; y++)
            for (int x = 0; x < outWidth; x++)
            {
                int ty = flipV ? outHeight - 1 - y : y, tx = flipH ? outWidth - 1 - x : x;
                int source = transpose ? tx * width + ty : ty * width + tx;
                for (int c = 0; c < 3; c++) result[c * n + y * outWidth + x] = planes[c * n + source];
            }
        return result;
    }

    /// <summary>Bilinear resize with libtorch's rule (source = (i + 0.5) · in/out − 0.5, clamped at 0), then clamped to 0–255.</summary>
    private static float[] Resize(float[] planes, int inH, int inW, int outH, int outW)
    {
        var (y0, y1, wy) = Taps(inH, outH);
        var (x0, x1, wx) = Taps(inW, outW);
        var result = new float[3 * outH * outW];
        for (int c = 0; c < 3; c++)
        {
            int plane = c * inH * inW;
            for (int y = 0; y < outH; y++)
            {
                int top = plane + y0[y] * inW, bottom = plane + y1[y] * inW;
                float ly = wy[y];
                for (int x = 0; x < outW; x++)
                {
                    float lx = wx[x];
                    float upper = (1 - lx) * planes[top + x0[x]] + lx * planes[top + x1[x]];
                    float lower = (1 - lx) * planes[bottom + x0[x]] + lx * planes[bottom + x1[x]];
                    result[(c * outH + y) * outW + x] = Math.Clamp((1 - ly) * upper + ly * lower, 0f, 255f);
                }
            }
        }
        return result;
    }

    private static (int[] Lower, int[] Upper, float[] Weight) Taps(int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        var lower = new int[outSize];
        var upper = new int[outSize];
        var weight = new float[outSize];
        for (int i = 0; i < outSize; i++)
        {
            float source = Math.Max(scale * (i + 0.5f) - 0.5f, 0f);
            lower[i] = Math.Min((int)source, inSize - 1);
            upper[i] = lower[i] + (lower[i] < inSize - 1 ? 1 : 0);
            weight[i] = source - lower[i];
        }
        return (lower, upper, weight);
    }
}
