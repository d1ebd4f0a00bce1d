namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// How the importer holds a computed ONNX tensor: a batch-first Tanuki tensor (<see cref="Tensor"/>, axis 0 the
/// batch) and, for each ONNX axis, the axes of that tensor it spans, outermost first (<see cref="Groups"/>). The ONNX
/// tensor is <c>reshape(permute(Tensor, concat(Groups)), OnnxShape)</c>. Transposes, reshapes, squeezes and unsqueezes
/// change only the groups, so graphs that move the batch axis or merge it with another (PyTorch's attention works on
/// (L, N·H, d) views) import as ordinary batch-first layers; a Permute or Reshape layer is made only when an operator
/// needs the axes in another order or merged (see <see cref="OnnxLayouts"/>).
/// </summary>
internal sealed class OnnxLayout
{
    public OnnxLayout(SymbolicTensor tensor, int[][] groups)
    {
        Tensor = tensor;
        Groups = groups;
        int[] all = groups.SelectMany(g => g).Order().ToArray();
        if (!all.SequenceEqual(Enumerable.Range(0, tensor.Rank)))
            throw new InvalidOperationException($"Layout groups [{Format()}] do not cover the axes of {Shapes.Format(tensor.Shape)} once each.");
    }

    /// <summary>The tensor as it is (batch first).</summary>
    public SymbolicTensor Tensor { get; }

    /// <summary>For each ONNX axis, the tensor axes it spans, outermost first (empty for an axis of size 1).</summary>
    public int[][] Groups { get; }

    public int Rank => Groups.Length;

    /// <summary>The layout of a tensor whose ONNX axes are its own axes.</summary>
    public static OnnxLayout Identity(SymbolicTensor tensor) => new(tensor, Enumerable.Range(0, tensor.Rank).Select(a => new[] { a }).ToArray());

    public static implicit operator OnnxLayout(SymbolicTensor tensor) => Identity(tensor);

    /// <summary>Whether the ONNX tensor is the tensor itself.</summary>
    public bool IsIdentity => Groups.Length == Tensor.Rank && Groups.Select((g, i) => g.Length == 1 && g[0] == i).All(b => b);

    /// <summary>The ONNX axis that holds the batch (alone or merged with others).</summary>
    public int BatchAxis => Array.FindIndex(Groups, g => g.Contains(0));

    /// <summary>The size of a tensor axis.</summary>
    public OnnxDim AxisSize(int axis) => OnnxDim.FromShape(Tensor.Shape[axis], axis == 0);

    /// <summary>The size of an ONNX axis.</summary>
    public OnnxDim Dim(int onnxAxis) => Groups[onnxAxis].Aggregate(OnnxDim.Known(1), (p, a) => p * AxisSize(a));

    public OnnxDim[] OnnxShape => Enumerable.Range(0, Rank).Select(Dim).ToArray();

    /// <summary>The same tensor with other groups.</summary>
    public OnnxLayout With(int[][] groups) => new(Tensor, groups);

    /// <summary>The same groups on another tensor of the same shape (an element-wise layer's output).</summary>
    public OnnxLayout On(SymbolicTensor tensor) => new(tensor, Groups);

    /// <summary>ONNX's Transpose: the groups in another order.</summary>
    public OnnxLayout Transpose(long[] perm) => With(perm.Select(p => Groups[p]).ToArray());

    /// <summary>ONNX's Unsqueeze: size-1 axes (empty groups) at the given positions of the output.</summary>
    public OnnxLayout Unsqueeze(IEnumerable<long> outputAxes)
    {
        var groups = Groups.ToList();
        foreach (long a in outputAxes.Order()) groups.Insert((int)a, []);
        return With(groups.ToArray());
    }

    /// <summary>
    /// ONNX's Squeeze of size-1 axes: their groups go; tensor axes of size 1 they held join a neighbouring group that
    /// does not hold the batch (a size-1 axis changes no size), or null when there is none.
    /// </summary>
    public OnnxLayout? Squeeze(IEnumerable<long> axes)
    {
        var drop = axes.ToHashSet();
        int[][] kept = Groups.Where((_, i) => !drop.Contains(i)).Select(g => (int[])g.Clone()).ToArray();
        int[] orphans = Groups.Where((_, i) => drop.Contains(i)).SelectMany(g => g).ToArray();
        if (orphans.Length == 0) return With(kept);
        int host = Array.FindLastIndex(kept, g => !g.Contains(0) && g.Length > 0);
        if (host < 0) host = Array.FindLastIndex(kept, g => !g.Contains(0));
        if (host < 0) return null;
        kept[host] = [.. kept[host], .. orphans];
        return With(kept);
    }

    /// <summary>Groups as text, for messages: <c>[0], [2, 3], [1]</c>.</summary>
    public string Format() => string.Join(", ", Groups.Select(g => $"[{string.Join(", ", g)}]"));

    /// <summary>The ONNX shape as text: <c>(N, 768, 4)</c>.</summary>
    public string FormatShape() => "(" + string.Join(", ", OnnxShape.Select(d => d.ToString())) + ")";
}
