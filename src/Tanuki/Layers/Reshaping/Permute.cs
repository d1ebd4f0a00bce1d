using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Permutes the dimensions of each sample, as Keras's <c>Permute</c>: <c>dims</c> are 1-based and leave out the
/// batch dimension, so <c>new Permute(new[] { 2, 1 })</c> swaps the two axes after the batch. ONNX's
/// <c>Transpose</c> imports as this layer when it keeps the batch axis first.
/// </summary>
public sealed class Permute : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="dims">A permutation of 1..n (n: the rank of a sample).</param>
    /// <param name="name">Layer name.</param>
    public Permute(int[] dims, string? name = null) : base(name)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length == 0 || !dims.OrderBy(d => d).SequenceEqual(Enumerable.Range(1, dims.Length)))
            throw new ArgumentException(
                $"Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start from 1. Received: dims=[{string.Join(", ", dims)}]",
                nameof(dims));
        Dims = (int[])dims.Clone();
        InputSpec = new InputSpec(rank: dims.Length + 1);
    }

    /// <summary>The permutation, 1-based, batch left out.</summary>
    public int[] Dims { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => inputs.permute([0, .. Dims.Select(d => (long)d)]);

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape) => [inputShape[0], .. Dims.Select(d => inputShape[d])];

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["dims"] = Dims;
        return config;
    }
}
