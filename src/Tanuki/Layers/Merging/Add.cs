using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Adds its inputs element-wise: <c>new Add().Call([a, b])</c>. Shapes broadcast as in Keras (per axis,
/// counted from the last: equal sizes or 1), which is how residual connections are written.
/// </summary>
public sealed class Add : Merge, IElementwiseAdd
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public Add(string? name = null) : base(1, int.MaxValue, name) { }

    private protected override long[] MergeShapes(IReadOnlyList<long[]> shapes) => BroadcastShapes(shapes);

    private protected override Tensor Combine(IReadOnlyList<Tensor> inputs)
    {
        Tensor[] x = AlignRanks(inputs);
        Tensor y = x[0];
        for (int i = 1; i < x.Length; i++) y = Scalars.Add(y, x[i]);
        return y;
    }
}
