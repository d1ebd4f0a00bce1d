namespace Tanuki;

/// <summary>
/// A placeholder for a tensor while a functional model is being built: it has a shape (batch dimension first,
/// -1 where unknown) and remembers which layer call produced it. Made by <see cref="Input"/> and by calling a
/// layer on another symbolic tensor.
/// </summary>
public class SymbolicTensor
{
    internal SymbolicTensor(long[] shape, Node? node, int index, string name)
    {
        Shape = shape;
        Node = node;
        Index = index;
        Name = name;
    }

    /// <summary>The shape, batch dimension first (-1 where the size is not fixed).</summary>
    public long[] Shape { get; }

    /// <summary>A readable name: the producing layer's.</summary>
    public string Name { get; }

    /// <summary>The rank including the batch dimension.</summary>
    public int Rank => Shape.Length;

    internal Node? Node { get; }

    internal int Index { get; }

    /// <inheritdoc />
    public override string ToString() => $"<SymbolicTensor shape={Shapes.Format(Shape)}, name={Name}>";
}
