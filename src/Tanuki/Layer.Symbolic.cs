namespace Tanuki;

public abstract partial class Layer
{
    /// <summary>
    /// Calls the layer on a symbolic tensor while building a functional model: builds the layer for that shape,
    /// checks it, and records a node. A <paramref name="training"/> given here is fixed for this node: it wins over
    /// the <c>training</c> the enclosing model later runs with (so a base called with <c>training: false</c> stays
    /// in inference mode while the outer model is fitted).
    /// </summary>
    public SymbolicTensor Call(SymbolicTensor inputs, bool? training = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        SymbolicTensor[] outputs = Call(new[] { inputs }, training);
        if (outputs.Length != 1)
            throw new InvalidOperationException($"Layer '{Name}' returns {outputs.Length} outputs; call it with Call(IReadOnlyList<SymbolicTensor>) to get all of them.");
        return outputs[0];
    }

    /// <summary>Calls the layer on several symbolic tensors (merge layers, multi-input models).</summary>
    public SymbolicTensor[] Call(IReadOnlyList<SymbolicTensor> inputs, bool? training = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0) throw new ArgumentException($"Layer '{Name}' was called with no inputs.", nameof(inputs));
        long[][] shapes = inputs.Select(t => t.Shape).ToArray();
        if (!Built)
        {
            try { Build(shapes); }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Layer '{Name}' cannot be built for input {Describe(inputs)}: {e.Message}", nameof(inputs), e);
            }
        }
        try { CheckInputs(shapes); }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Layer '{Name}' cannot take input {Describe(inputs)}: {e.Message}", nameof(inputs), e);
        }
        IReadOnlyList<long[]> outShapes;
        try { outShapes = ComputeOutputShape(shapes); }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Layer '{Name}' cannot take input {Describe(inputs)}: {e.Message}", nameof(inputs), e);
        }
        var node = new Node(this, inputs.ToArray(), training);
        node.Outputs = outShapes.Select((s, i) => new SymbolicTensor(s, node, i, outShapes.Count == 1 ? Name : $"{Name}:{i}")).ToArray();
        InboundNodes.Add(node);
        return node.Outputs;
    }

    private static string Describe(IReadOnlyList<SymbolicTensor> inputs) =>
        string.Join(", ", inputs.Select(t => $"{Shapes.Format(t.Shape)} from '{t.Node?.Layer.Name ?? t.Name}'"));

    /// <summary>The nodes created by calling this layer on symbolic tensors (one per call).</summary>
    internal List<Node> InboundNodes { get; } = new();
}

/// <summary>One call of a layer in a functional graph: which tensors went in, which came out, and a fixed training flag.</summary>
internal sealed class Node
{
    public Node(Layer layer, SymbolicTensor[] inputs, bool? training)
    {
        Layer = layer;
        Inputs = inputs;
        Training = training;
    }

    public Layer Layer { get; }
    public SymbolicTensor[] Inputs { get; }
    public SymbolicTensor[] Outputs { get; set; } = [];

    /// <summary>The training flag given when the graph was built; null inherits the model's.</summary>
    public bool? Training { get; }
}
