using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.FineTuning;

/// <summary>
/// The augmented views of each training image that the recipe passes through the frozen base once and caches:
/// view 0 is the image, view 1 its mirror image, and each further view a random crop of 45–100% of its area (aspect
/// ratio 3:4 to 4:3, scaled back to full size) mirrored half of the time. Every sample's views are drawn from a
/// generator seeded by (seed, view, sample), so the cache is the same in every run and for any batching.
/// </summary>
internal static class FeatureViews
{
    /// <summary>The smallest fraction of an image's area a crop keeps.</summary>
    public const double MinimumCropArea = 0.45;

    /// <summary>Describes the first <paramref name="views"/> views, for messages.</summary>
    public static string Describe(int views) => views switch
    {
        1 => "the images themselves",
        2 => "each image and its mirror image",
        _ => $"each image, its mirror image and {views - 2} random crops",
    };

    /// <summary>
    /// View <paramref name="view"/> of a batch of images <c>N×C×H×W</c>, the samples numbered
    /// <paramref name="sampleIds"/> from <paramref name="offset"/> on. Returns the input itself for view 0.
    /// </summary>
    public static Tensor Apply(Tensor images, int view, int seed, int[] sampleIds, int offset)
    {
        if (view == 0) return images;
        if (images.dim() != 4) throw new ArgumentException($"Augmented views need image batches N×C×H×W. Received: {Shapes.Format(images.shape)}");
        if (view == 1) return images.flip(-1);
        long n = images.shape[0], h = images.shape[2], w = images.shape[3];
        using var scope = NewDisposeScope();
        var crops = new Tensor[n];
        for (int i = 0; i < n; i++)
        {
            var random = new Random(Data.Seeds.Derive(seed, ((long)view << 32) + sampleIds[offset + i]));
            double area = MinimumCropArea + (1 - MinimumCropArea) * random.NextDouble();
            double ratio = Math.Exp(Math.Log(3.0 / 4) + (Math.Log(4.0 / 3) - Math.Log(3.0 / 4)) * random.NextDouble());
            int cw = (int)Math.Clamp(Math.Round(w * Math.Sqrt(area * ratio)), 1, w);
            int ch = (int)Math.Clamp(Math.Round(h * Math.Sqrt(area / ratio)), 1, h);
            int top = random.Next((int)(h - ch + 1)), left = random.Next((int)(w - cw + 1));
            bool mirror = random.NextDouble() < 0.5;
            Tensor crop = images[TensorIndex.Slice(i, i + 1), TensorIndex.Colon, TensorIndex.Slice(top, top + ch), TensorIndex.Slice(left, left + cw)];
            crop = F.interpolate(crop, [h, w], mode: InterpolationMode.Bilinear, align_corners: false);
            crops[i] = mirror ? crop.flip(-1) : crop;
        }
        return torch.cat(crops, 0).MoveToOuterDisposeScope();
    }
}
