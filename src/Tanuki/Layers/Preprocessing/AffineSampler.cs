using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Keras's <c>affine_transform</c>: output pixel (x, y) takes the input at (a0·x + a1·y + a2, b0·x + b1·y + b2),
/// sampled with "nearest" (round half to even) or "bilinear" interpolation; input indices outside the image are
/// mapped by the fill mode — "reflect" (d c b a | a b c d | d c b a), "wrap" (a b c d | a b c d), "nearest"
/// (a a a a | a b c d | d d d d) — or, with "constant", read as the fill value. Integer neighbours are fixed one
/// by one, as Keras's torch backend does (scipy's modes reflect, grid-wrap, nearest and grid-constant).
/// </summary>
internal static class AffineSampler
{
    /// <param name="images">N×C×H×W float.</param>
    /// <param name="matrix">N×6 float: a0, a1, a2, b0, b1, b2 per image.</param>
    /// <param name="interpolation">"nearest" or "bilinear".</param>
    /// <param name="fillMode">"reflect", "wrap", "nearest" or "constant".</param>
    /// <param name="fillValue">The value outside the image with "constant".</param>
    public static Tensor Transform(Tensor images, Tensor matrix, string interpolation, string fillMode, double fillValue)
    {
        long n = images.shape[0], c = images.shape[1], h = images.shape[2], w = images.shape[3];
        var options = (images.dtype, images.device);
        Tensor m = matrix.to(images.dtype).to(images.device);
        Tensor col(int i) => m[TensorIndex.Colon, i].reshape(n, 1, 1);
        Tensor xs = torch.arange(w, dtype: options.dtype, device: options.device).reshape(1, 1, w);
        Tensor ys = torch.arange(h, dtype: options.dtype, device: options.device).reshape(1, h, 1);
        Tensor xIn = col(0) * xs + col(1) * ys + col(2);        // N×H×W
        Tensor yIn = col(3) * xs + col(4) * ys + col(5);
        Tensor flat = images.reshape(n, c, h * w);

        var xNodes = Nodes(xIn, interpolation);
        var yNodes = Nodes(yIn, interpolation);
        Tensor? result = null;
        foreach (var (yi, yWeight) in yNodes)
            foreach (var (xi, xWeight) in xNodes)
            {
                Tensor index = (Fix(yi, h, fillMode) * w + Fix(xi, w, fillMode)).reshape(n, 1, h * w).expand(n, c, h * w);
                Tensor value = flat.gather(2, index).reshape(n, c, h, w);
                if (fillMode == "constant")
                {
                    Tensor valid = ((yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)).unsqueeze(1);
                    value = torch.where(valid, value, torch.full([1], fillValue, options.dtype, options.device));
                }
                Tensor term = yWeight is null ? value : value * (yWeight * xWeight!).unsqueeze(1);
                result = result is null ? term : result + term;
            }
        return result!;
    }

    /// <summary>The integer neighbours of each coordinate and their weights (null: weight 1).</summary>
    private static List<(Tensor Index, Tensor? Weight)> Nodes(Tensor coordinate, string interpolation)
    {
        if (interpolation == "nearest") return [(coordinate.round().to_type(ScalarType.Int64), null)];
        Tensor lower = coordinate.floor();
        Tensor upperWeight = coordinate - lower;
        Tensor index = lower.to_type(ScalarType.Int64);
        return [(index, 1 - upperWeight), (index + 1, upperWeight)];
    }

    private static Tensor Fix(Tensor index, long size, string fillMode) => fillMode switch
    {
        "wrap" => index.remainder(size),
        "reflect" => Reflect(index, size),
        _ => index.clamp(0, size - 1),                          // nearest; constant reads are masked afterwards
    };

    private static Tensor Reflect(Tensor index, long size)
    {
        Tensor m = index.remainder(2 * size);
        return torch.where(m >= size, 2 * size - 1 - m, m);
    }
}
