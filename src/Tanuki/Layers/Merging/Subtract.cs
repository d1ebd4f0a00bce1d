using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Subtracts its second input from its first, element-wise: <c>new Subtract().Call([a, b])</c> is <c>a − b</c>.
/// Shapes broadcast as in Keras (per axis, counted from the last: equal sizes or 1).
/// </summary>
public sealed class Subtract : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public Subtract(string? name = null) : base(2, 2, name) { }

    private protected override long[] MergeShapes(IReadOnlyList<long[]> shapes) => BroadcastShapes(shapes);

    private protected override Tensor Combine(IReadOnlyList<Tensor> inputs)
    {
        Tensor[] x = AlignRanks(inputs);
        return x[0] - x[1];
    }
}
