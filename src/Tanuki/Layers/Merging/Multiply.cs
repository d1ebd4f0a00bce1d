using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Multiplies its inputs element-wise: <c>new Multiply().Call([a, b])</c>. Shapes broadcast as in Keras (per
/// axis, counted from the last: equal sizes or 1), e.g. a <c>(N, C, 1, 1)</c> attention gate times a <c>(N, C, H, W)</c> feature map.
/// </summary>
public sealed class Multiply : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public Multiply(string? name = null) : base(1, int.MaxValue, name) { }

    private protected override long[] MergeShapes(IReadOnlyList<long[]> shapes) => BroadcastShapes(shapes);

    private protected override Tensor Combine(IReadOnlyList<Tensor> inputs)
    {
        Tensor[] x = AlignRanks(inputs);
        Tensor y = x[0];
        for (int i = 1; i < x.Length; i++) y = y * x[i];
        return y;
    }
}
