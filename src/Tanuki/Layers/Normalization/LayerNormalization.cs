using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Layers;

/// <summary>
/// Normalizes each sample over <see cref="Axis"/> (the last axis by default) to zero mean and unit variance, then
/// scales by gamma and shifts by beta, which have the sizes of those axes: <c>(x − mean) / √(var + ε) · γ + β</c>,
/// the variance biased, as Keras and PyTorch compute it. Unlike <see cref="BatchNormalization"/> it keeps no
/// statistics: training and inference compute the same. Transformers normalize tokens over their features (the last
/// axis); ConvNeXt normalizes the channels of each pixel (axis 1 of N×C×H×W).
/// Weights: gamma and beta, both trainable.
/// </summary>
public sealed class LayerNormalization : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The axes normalized over (negative counts from the end; not the batch axis); <c>[-1]</c> by default.</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <param name="center">Whether to add beta.</param>
    /// <param name="scale">Whether to multiply by gamma.</param>
    /// <param name="name">Layer name.</param>
    public LayerNormalization(int[]? axis = null, double epsilon = 1e-3, bool center = true, bool scale = true, string? name = null)
        : base(name)
    {
        axis ??= [-1];
        if (axis.Length == 0 || axis.Contains(0) || axis.Distinct().Count() != axis.Length)
            throw new ArgumentException(
                $"Invalid argument for {LayerArgs.Who(this)}: expected distinct non-batch axes (not 0). Received: axis=[{string.Join(", ", axis)}]", nameof(axis));
        if (!(epsilon > 0))
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"Invalid argument for {LayerArgs.Who(this)}: epsilon must be positive. Received: epsilon={epsilon}");
        Axis = (int[])axis.Clone();
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
    }

    /// <summary>The axes normalized over, as given.</summary>
    public int[] Axis { get; }
    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }
    /// <summary>Whether beta is used.</summary>
    public bool Center { get; }
    /// <summary>Whether gamma is used.</summary>
    public bool Scale { get; }

    /// <summary>Scale (trainable), with the sizes of the normalized axes in ascending order; null before build or without scale.</summary>
    public Variable? Gamma { get; private set; }
    /// <summary>Offset (trainable), shaped like gamma; null before build or without center.</summary>
    public Variable? Beta { get; private set; }

    /// <summary>The normalized axes as positions in an input of <paramref name="rank"/>, ascending.</summary>
    private long[] Resolved(int rank)
    {
        long[] axes = Axis.Select(a => (long)(a < 0 ? a + rank : a)).Order().ToArray();
        if (axes.Any(a => a < 1 || a >= rank) || axes.Distinct().Count() != axes.Length)
            throw LayerArgs.Error(this, $"axis [{string.Join(", ", Axis)}] are not distinct non-batch axes of an input of rank {rank}.");
        return axes;
    }

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        long[] axes = Resolved(inputShape.Length);
        long[] shape = axes.Select(a => inputShape[a]).ToArray();
        if (shape.Any(d => d <= 0))
            throw LayerArgs.Error(this, $"the normalized axes [{string.Join(", ", Axis)}] need known sizes. Received input shape {Shapes.Format(inputShape)}.");
        if (Scale) Gamma = AddWeight("gamma", shape, Initializers.Ones);
        if (Center) Beta = AddWeight("beta", shape, Initializers.Zeros);
        InputSpec = new InputSpec(rank: inputShape.Length, axes: axes.ToDictionary(a => (int)a, a => inputShape[a]));
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        long rank = inputs.dim();
        long[] axes = Resolved((int)rank);
        long[] normalized = axes.Select(a => inputs.shape[a]).ToArray();
        // libtorch normalizes trailing axes; other axes are moved there and back (views, no copies of their own).
        long[] trailing = Enumerable.Range((int)(rank - axes.Length), axes.Length).Select(a => (long)a).ToArray();
        bool inPlace = axes.SequenceEqual(trailing);
        Tensor x = inPlace ? inputs : inputs.movedim(axes, trailing);
        Tensor y = F.layer_norm(x, normalized, Gamma?.Value, Beta?.Value, Epsilon);
        return inPlace ? y : y.movedim(trailing, axes);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = (int[])Axis.Clone();
        config["epsilon"] = Epsilon;
        config["center"] = Center;
        config["scale"] = Scale;
        return config;
    }
}
