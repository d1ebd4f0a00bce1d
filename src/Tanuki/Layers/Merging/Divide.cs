using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Divides its first input by its second, element-wise: <c>new Divide().Call([a, b])</c> is <c>a / b</c>. Shapes
/// broadcast as in Keras (per axis, counted from the last: equal sizes or 1). ONNX's <c>Div</c> of two computed
/// tensors imports as this layer.
/// </summary>
public sealed class Divide : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public Divide(string? name = null) : base(2, 2, name) { }

    private protected override long[] MergeShapes(IReadOnlyList<long[]> shapes) => BroadcastShapes(shapes);

    private protected override Tensor Combine(IReadOnlyList<Tensor> inputs)
    {
        Tensor[] x = AlignRanks(inputs);
        return x[0] / x[1];
    }
}
