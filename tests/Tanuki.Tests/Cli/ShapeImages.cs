using SkiaSharp;
using Tanuki.Tests.Data;

namespace Tanuki.Tests.Cli;

/// <summary>
/// A tiny image-classification folder: one subfolder per class, each with coloured 32×32 shapes on a dark, noisy
/// background at random places (seeded), half PNG and half JPEG.
/// </summary>
internal static class ShapeImages
{
    public static readonly string[] Classes = ["circle", "square", "stripes"];

    /// <summary>Writes <paramref name="perClass"/> images of each class under <paramref name="root"/>; returns the root.</summary>
    public static string Write(string root, int perClass = 8, IReadOnlyList<string>? classes = null, int seed = 1)
    {
        var random = new Random(seed);
        classes ??= Classes;
        for (int c = 0; c < classes.Count; c++)
        {
            string dir = Path.Combine(root, classes[c]);
            Directory.CreateDirectory(dir);
            for (int i = 0; i < perClass; i++)
            {
                byte[] rgba = Draw(c, random);
                bool png = i % 2 == 0;
                File.WriteAllBytes(Path.Combine(dir, $"{i:D2}.{(png ? "png" : "jpg")}"),
                                   png ? ImageFiles.PngRgb(Size, Size, rgba) : ImageFiles.Encode(Size, Size, rgba, SKEncodedImageFormat.Jpeg, 95));
            }
        }
        return root;
    }

    private const int Size = 32;

    private static byte[] Draw(int kind, Random random)
    {
        int cx = random.Next(10, 22), cy = random.Next(10, 22), r = random.Next(6, 10);
        var noise = new byte[Size * Size];
        random.NextBytes(noise);
        return ImageFiles.Pixels(Size, Size, (x, y) =>
        {
            bool inside = kind switch
            {
                0 => (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r,          // a red disk
                1 => Math.Abs(x - cx) <= r && Math.Abs(y - cy) <= r,              // a green square
                _ => (y / 3) % 2 == 0 && Math.Abs(x - cx) <= r + 4,               // blue stripes
            };
            byte bg = (byte)(20 + noise[y * Size + x] % 40);
            return !inside ? (bg, bg, bg, (byte)255)
                : kind == 0 ? ((byte)230, (byte)40, (byte)40, (byte)255)
                : kind == 1 ? ((byte)40, (byte)210, (byte)60, (byte)255)
                : ((byte)50, (byte)80, (byte)230, (byte)255);
        });
    }
}
