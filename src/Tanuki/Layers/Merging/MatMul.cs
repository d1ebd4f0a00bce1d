using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// The matrix product of its two inputs, sample by sample: <c>new MatMul().Call(a, b)</c> with <c>a</c> of shape
/// (N, ..., m, k) and <c>b</c> of shape (N, ..., k, n) gives (N, ..., m, n); the axes between the batch and the two
/// matrix axes broadcast (equal sizes or 1). Attention is two of these: queries times transposed keys, then the
/// softmax of that times values. (Keras's <c>Dot</c> contracts one axis of each input and keeps every other axis of
/// both; this is NumPy's <c>matmul</c>, which ONNX's <c>MatMul</c> of two computed tensors imports as.)
/// </summary>
public sealed class MatMul : Merge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public MatMul(string? name = null) : base(2, 2, name) { }

    private protected override long[] MergeShapes(IReadOnlyList<long[]> shapes)
    {
        long[] a = shapes[0], b = shapes[1];
        if (a.Length < 3 || b.Length != a.Length)
            throw LayerArgs.Error(this,
                $"expects two inputs of the same rank, at least 3 (batch, rows, columns). Received shapes {Format(shapes)}.");
        long k = a[^1], kb = b[^2];
        if (k >= 0 && kb >= 0 && k != kb)
            throw LayerArgs.Error(this,
                $"the first input's last axis ({k}) must match the second input's next-to-last axis ({kb}). Received shapes {Format(shapes)}.");
        long[] leading = BroadcastShapes([[.. a[..^2], 1, 1], [.. b[..^2], 1, 1]]);
        return [.. leading[..^2], a[^2], b[^1]];
    }

    private protected override Tensor Combine(IReadOnlyList<Tensor> inputs) =>
        inputs[0].dtype == inputs[1].dtype
            ? inputs[0].matmul(inputs[1])
            : MixedPrecision.ToFloat32(inputs[0]).matmul(MixedPrecision.ToFloat32(inputs[1]));   // one bfloat16 (mixed precision), one not
}
