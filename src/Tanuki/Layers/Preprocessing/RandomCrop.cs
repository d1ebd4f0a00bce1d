using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Crops images to <see cref="Height"/>×<see cref="Width"/>. In training each image larger than that in both
/// dimensions is cropped at its own random position; otherwise — in inference, and in training for an image too
/// small to crop — the largest centred window of the target aspect ratio is cropped and resized (bilinear) to the
/// target size, as Keras documents (Keras's <c>smart_resize</c>). An input already of the target size is returned
/// as it is in inference. Unlike the other augmentation layers this one changes the shape, so it is not the
/// identity in inference.
/// </summary>
public sealed class RandomCrop : Layer
{
    private readonly RandomSource _random;

    /// <summary>Creates the layer.</summary>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <param name="seed">Seed for a reproducible sequence of crop positions.</param>
    /// <param name="name">Layer name.</param>
    public RandomCrop(int height, int width, int? seed = null, string? name = null) : base(name)
    {
        Height = Guard.Positive(height);
        Width = Guard.Positive(width);
        Seed = seed;
        _random = new RandomSource(seed);
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>The seed, if given.</summary>
    public int? Seed { get; }

    /// <inheritdoc />
    public override bool IsRandom => true;

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        var (images, unbatched) = Augmentation.AsBatch(inputs, Name);
        long n = images.shape[0], h = images.shape[2], w = images.shape[3];
        Tensor output;
        if (training && h > Height && w > Width)
        {
            // A start in [0, h − Height] per image: floor of a uniform draw in [0, h − Height + 1), as Keras.
            long[] tops = _random.Uniform(n, 0, h - Height + 1).floor().clamp(0, h - Height).to_type(ScalarType.Int64).data<long>().ToArray();
            long[] lefts = _random.Uniform(n, 0, w - Width + 1).floor().clamp(0, w - Width).to_type(ScalarType.Int64).data<long>().ToArray();
            output = torch.stack(Enumerable.Range(0, (int)n).Select(i =>
                images[i, TensorIndex.Colon, TensorIndex.Slice(tops[i], tops[i] + Height), TensorIndex.Slice(lefts[i], lefts[i] + Width)]));
        }
        else
        {
            if (h == Height && w == Width) return inputs;
            output = ImageOps.SmartResize(images, Height, Width, "bilinear");
        }
        return unbatched ? output.squeeze(0) : output;
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        long[] shape = (long[])inputShape.Clone();
        shape[^2] = Height;
        shape[^1] = Width;
        return shape;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["height"] = Height;
        config["width"] = Width;
        config["seed"] = Seed;
        return config;
    }
}
