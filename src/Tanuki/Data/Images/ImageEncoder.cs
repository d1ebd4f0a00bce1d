using System.Runtime.InteropServices;
using SkiaSharp;
using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>Writes <c>C×H×W</c> tensors in 0–255 (C = 1, 3 or 4) as 8-bit PNG files.</summary>
internal static class ImageEncoder
{
    public static void WritePng(Tensor chw, string path)
    {
        long c = chw.shape[0], h = chw.shape[1], w = chw.shape[2];
        if (chw.dim() != 3 || c is not (1 or 3 or 4))
            throw new ArgumentException($"An image to write must be C×H×W with 1, 3 or 4 channels. Received shape {Shapes.Format(chw.shape)}.");
        byte[] bytes;
        using (var scope = NewDisposeScope())
        {
            Tensor hwc = chw.detach().cpu().to_type(ScalarType.Float32).clamp(0, 255).round().to_type(ScalarType.Byte);
            if (c == 3) hwc = torch.cat([hwc, torch.full([1, h, w], 255, ScalarType.Byte)], 0);
            bytes = hwc.permute(1, 2, 0).contiguous().data<byte>().ToArray();
        }
        var info = new SKImageInfo((int)w, (int)h, c == 1 ? SKColorType.Gray8 : SKColorType.Rgba8888, c == 4 ? SKAlphaType.Unpremul : SKAlphaType.Opaque);
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, handle.AddrOfPinnedObject(), info.RowBytes);
            using SKData data = pixmap.Encode(SKEncodedImageFormat.Png, 100)
                ?? throw new IOException($"SkiaSharp could not encode a {w}×{h} PNG for '{path}'.");
            using var file = File.Create(path);
            data.SaveTo(file);
        }
        finally
        {
            handle.Free();
        }
    }
}
