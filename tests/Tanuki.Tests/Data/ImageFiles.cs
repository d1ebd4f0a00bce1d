using System.IO.Compression;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace Tanuki.Tests.Data;

/// <summary>
/// Writes small image files for tests, byte by byte where the format is simple (PNG in every colour type and bit
/// depth, BMP, GIF, an EXIF block) so that the decoder is checked against files it did not write itself; SkiaSharp
/// encodes JPEG and WebP. Pixels are given as RGBA bytes, row-major.
/// </summary>
internal static class ImageFiles
{
    /// <summary>RGBA pixels of a w×h image from a function of (x, y).</summary>
    public static byte[] Pixels(int w, int h, Func<int, int, (byte R, byte G, byte B, byte A)> f)
    {
        var p = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var (r, g, b, a) = f(x, y);
                int i = (y * w + x) * 4;
                p[i] = r; p[i + 1] = g; p[i + 2] = b; p[i + 3] = a;
            }
        return p;
    }

    // ---- PNG, by hand: colour types 0 (gray), 2 (RGB), 3 (palette), 4 (gray+alpha), 6 (RGBA); depths 8 and 16.

    public static byte[] Png(int w, int h, int colorType, int bitDepth, byte[] samples, byte[]? palette = null, byte[]? transparency = null)
    {
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new ArgumentException("colour type") };
        int rowBytes = w * channels * bitDepth / 8;
        if (samples.Length != rowBytes * h) throw new ArgumentException($"expected {rowBytes * h} sample bytes, got {samples.Length}");
        var raw = new MemoryStream();
        for (int y = 0; y < h; y++)
        {
            raw.WriteByte(0);                                   // filter: none
            raw.Write(samples, y * rowBytes, rowBytes);
        }
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BigEndian(ihdr, 0, w);
        BigEndian(ihdr, 4, h);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        Chunk(png, "IHDR", ihdr);
        if (palette is not null) Chunk(png, "PLTE", palette);
        if (transparency is not null) Chunk(png, "tRNS", transparency);
        Chunk(png, "IDAT", Zlib(raw.ToArray()));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>An 8-bit RGBA PNG of the pixels.</summary>
    public static byte[] PngRgba(int w, int h, byte[] rgba) => Png(w, h, 6, 8, rgba);

    /// <summary>An 8-bit RGB PNG of the pixels (alpha dropped).</summary>
    public static byte[] PngRgb(int w, int h, byte[] rgba) => Png(w, h, 2, 8, Channels(rgba, 0, 1, 2));

    /// <summary>A PNG whose header claims w×h but whose data is a few bytes (a "decompression bomb" stand-in).</summary>
    public static byte[] PngHeaderOnly(int w, int h)
    {
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BigEndian(ihdr, 0, w);
        BigEndian(ihdr, 4, h);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", Zlib(new byte[64]));
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    public static byte[] Channels(byte[] rgba, params int[] keep)
    {
        int n = rgba.Length / 4;
        var result = new byte[n * keep.Length];
        for (int i = 0; i < n; i++)
            for (int k = 0; k < keep.Length; k++) result[i * keep.Length + k] = rgba[i * 4 + keep[k]];
        return result;
    }

    /// <summary>16-bit samples (big-endian) from 8-bit ones, v → v·257, so that a correct 8-bit reduction gives v back.</summary>
    public static byte[] To16Bit(byte[] samples8)
    {
        var result = new byte[samples8.Length * 2];
        for (int i = 0; i < samples8.Length; i++) { result[2 * i] = samples8[i]; result[2 * i + 1] = samples8[i]; }
        return result;
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4];
        BigEndian(len, 0, data.Length);
        s.Write(len);
        byte[] typeAndData = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
        s.Write(typeAndData);
        var crc = new byte[4];
        BigEndian(crc, 0, (int)Crc32(typeAndData));
        s.Write(crc);
    }

    private static byte[] Zlib(byte[] data)
    {
        var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true)) z.Write(data);
        return output.ToArray();
    }

    private static uint Crc32(byte[] data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    private static void BigEndian(byte[] buffer, int offset, int value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }

    // ---- BMP, by hand: 24-bit, bottom-up rows padded to 4 bytes.

    public static byte[] Bmp(int w, int h, byte[] rgba)
    {
        int rowBytes = (w * 3 + 3) / 4 * 4;
        var s = new MemoryStream();
        var bw = new BinaryWriter(s);
        bw.Write((byte)'B'); bw.Write((byte)'M');
        bw.Write(54 + rowBytes * h); bw.Write(0); bw.Write(54);
        bw.Write(40); bw.Write(w); bw.Write(h); bw.Write((short)1); bw.Write((short)24);
        bw.Write(0); bw.Write(rowBytes * h); bw.Write(2835); bw.Write(2835); bw.Write(0); bw.Write(0);
        for (int y = h - 1; y >= 0; y--)
        {
            for (int x = 0; x < w; x++)
            {
                int i = (y * w + x) * 4;
                bw.Write(rgba[i + 2]); bw.Write(rgba[i + 1]); bw.Write(rgba[i]);
            }
            for (int p = w * 3; p < rowBytes; p++) bw.Write((byte)0);
        }
        return s.ToArray();
    }

    // ---- GIF, by hand: a 128-colour palette and LZW codes of 8 bits, with a clear code often enough that the code
    // width never grows (so every code is one byte).

    public static byte[] Gif(int w, int h, byte[] rgba)
    {
        var palette = new List<(byte, byte, byte)>();
        var indices = new byte[w * h];
        for (int i = 0; i < w * h; i++)
        {
            var c = (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]);
            int k = palette.IndexOf(c);
            if (k < 0) { palette.Add(c); k = palette.Count - 1; }
            if (k >= 128) throw new ArgumentException("at most 128 colours");
            indices[i] = (byte)k;
        }
        var s = new MemoryStream();
        var bw = new BinaryWriter(s);
        bw.Write("GIF89a"u8.ToArray());
        bw.Write((short)w); bw.Write((short)h);
        bw.Write((byte)0xF6); bw.Write((byte)0); bw.Write((byte)0);      // global table of 2^(6+1) = 128 colours
        for (int k = 0; k < 128; k++)
        {
            var (r, g, b) = k < palette.Count ? palette[k] : ((byte)0, (byte)0, (byte)0);
            bw.Write(r); bw.Write(g); bw.Write(b);
        }
        bw.Write((byte)0x2C); bw.Write((short)0); bw.Write((short)0); bw.Write((short)w); bw.Write((short)h); bw.Write((byte)0);
        bw.Write((byte)7);                                                // LZW minimum code size: clear = 128, end = 129
        var codes = new List<byte>();
        for (int i = 0; i < indices.Length; i++)
        {
            if (i % 120 == 0) codes.Add(128);
            codes.Add(indices[i]);
        }
        codes.Add(129);
        for (int start = 0; start < codes.Count; start += 255)
        {
            int n = Math.Min(255, codes.Count - start);
            bw.Write((byte)n);
            bw.Write(codes.GetRange(start, n).ToArray());
        }
        bw.Write((byte)0);
        bw.Write((byte)0x3B);
        return s.ToArray();
    }

    // ---- JPEG and WebP through SkiaSharp.

    public static byte[] Encode(int w, int h, byte[] rgba, SKEncodedImageFormat format, int quality = 100)
    {
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using SKData data = (format == SKEncodedImageFormat.Webp && quality == 100
                ? pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 100))
                : pixmap.Encode(format, quality)) ?? throw new InvalidOperationException($"SkiaSharp cannot encode {format}");
            return data.ToArray();
        }
        finally
        {
            handle.Free();
        }
    }

    public static byte[] Jpeg(int w, int h, byte[] rgba, int quality = 100) => Encode(w, h, rgba, SKEncodedImageFormat.Jpeg, quality);

    /// <summary>Inserts an EXIF block with the given orientation (1–8) right after the JPEG's start marker.</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, int orientation)
    {
        byte[] tiff =
        [
            (byte)'I', (byte)'I', 0x2A, 0x00, 0x08, 0x00, 0x00, 0x00,      // little-endian TIFF, first IFD at 8
            0x01, 0x00,                                                      // one entry
            0x12, 0x01, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00,                  // tag 0x0112 Orientation, SHORT, count 1
            (byte)orientation, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00,                                          // no next IFD
        ];
        byte[] payload = [.. "Exif\0\0"u8.ToArray(), .. tiff];
        int length = payload.Length + 2;
        byte[] app1 = [0xFF, 0xE1, (byte)(length >> 8), (byte)length, .. payload];
        return [.. jpeg[..2], .. app1, .. jpeg[2..]];
    }

    /// <summary>Rewrites the frame size in a baseline JPEG's SOF0 header, leaving the data as it is.</summary>
    public static byte[] WithJpegSize(byte[] jpeg, int w, int h)
    {
        byte[] result = (byte[])jpeg.Clone();
        for (int i = 2; i + 8 < result.Length; i++)
        {
            if (result[i] == 0xFF && result[i + 1] is 0xC0 or 0xC2)
            {
                result[i + 5] = (byte)(h >> 8); result[i + 6] = (byte)h;
                result[i + 7] = (byte)(w >> 8); result[i + 8] = (byte)w;
                return result;
            }
        }
        throw new ArgumentException("no SOF marker");
    }
}
