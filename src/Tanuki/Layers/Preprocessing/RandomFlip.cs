using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Flips each image left–right and/or upside down at random, in training only (the identity — the same tensor —
/// otherwise). Each image of a batch gets its own draw; with "horizontal_and_vertical" the two flips are drawn
/// independently (as Keras 2 and tf.image did; Keras 3 currently draws one coin for both).
/// </summary>
public sealed class RandomFlip : Layer
{
    private static readonly string[] s_modes = ["horizontal", "vertical", "horizontal_and_vertical"];
    private readonly RandomSource _random;

    /// <summary>Creates the layer.</summary>
    /// <param name="mode">"horizontal" (left–right), "vertical" (upside down) or "horizontal_and_vertical".</param>
    /// <param name="seed">Seed for a reproducible sequence of flips.</param>
    /// <param name="name">Layer name.</param>
    public RandomFlip(string mode = "horizontal_and_vertical", int? seed = null, string? name = null) : base(name)
    {
        Mode = Guard.OneOf(mode, s_modes);
        Seed = seed;
        _random = new RandomSource(seed);
    }

    /// <summary>Which flips are drawn.</summary>
    public string Mode { get; }

    /// <summary>The seed, if given.</summary>
    public int? Seed { get; }

    /// <inheritdoc />
    public override bool IsRandom => true;

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        if (!training) return inputs;
        var (images, unbatched) = Augmentation.AsBatch(inputs, Name);
        long n = images.shape[0];
        Tensor output = images;
        if (Mode != "vertical") output = FlipSome(output, dim: 3, _random.Uniform(n, 0, 1).le(0.5));
        if (Mode != "horizontal") output = FlipSome(output, dim: 2, _random.Uniform(n, 0, 1).le(0.5));
        return unbatched ? output.squeeze(0) : output;
    }

    private static Tensor FlipSome(Tensor images, int dim, Tensor flips) =>
        torch.where(flips.to(images.device).reshape(-1, 1, 1, 1), images.flip(dim), images);

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["mode"] = Mode;
        config["seed"] = Seed;
        return config;
    }
}
