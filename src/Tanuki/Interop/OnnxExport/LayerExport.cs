using Tanuki.Interop.OnnxImport.Protos;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// One layer call being written: its inputs, and helpers that name the nodes and initializers after the layer, so that
/// the file reads like the model (<c>conv1</c>, <c>conv1/kernel</c>, <c>conv1/relu</c>) and imports back with the same
/// layer names.
/// </summary>
internal sealed class LayerExport
{
    private int _nodes;
    private bool _named;

    public LayerExport(OnnxGraphWriter writer, Layer layer, string name, IReadOnlyList<OnnxValue> inputs, int opset)
    {
        Writer = writer;
        Opset = opset;
        Layer = layer;
        Name = name;
        Inputs = inputs;
    }

    public OnnxGraphWriter Writer { get; }

    /// <summary>The opset being written: where it lacks an operator (HardSwish before 14, LayerNormalization before 17), a decomposition is written.</summary>
    public int Opset { get; }
    public Layer Layer { get; }

    /// <summary>The layer's name, prefixed by the names of the models it is nested in (<c>base/conv1</c>).</summary>
    public string Name { get; }

    public IReadOnlyList<OnnxValue> Inputs { get; }
    public OnnxValue Input => Inputs[0];

    /// <summary>
    /// Adds a node. The first node added this way is named after the layer (the importer names the layer it makes after
    /// it), later ones after the layer and <paramref name="role"/>; values are named after the layer and the role until
    /// <see cref="Finish"/> names the layer's output.
    /// </summary>
    public string Node(string opType, string role, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        string node = _named ? $"{Name}/{role}" : Name;
        _named = true;
        return Add(opType, node, role, inputs, attributes);
    }

    /// <summary>
    /// Adds a node named <c>layer/role</c>, never after the layer alone. For the pieces of what imports as one layer
    /// (GELU's Erf and Muls, a LayerNormalization taken apart): the importer names such a layer after the path its
    /// nodes share, which is then the layer's name. A later <see cref="Node"/> still takes the layer's name.
    /// </summary>
    public string Part(string opType, string role, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Add(opType, $"{Name}/{role}", role, inputs, attributes);

    private string Add(string opType, string node, string role, IEnumerable<string> inputs, AttributeProto[] attributes)
    {
        _nodes++;
        return Writer.Node(opType, node, $"{Name}/{role}", inputs, attributes);
    }

    /// <summary>The layer's output, named after the layer when one of its nodes made it (an identity layer passes its input on).</summary>
    public string Finish(string output) =>
        _nodes > 0 && Writer.Graph.Node.Skip(Writer.Graph.Node.Count - _nodes).Any(n => n.Output.Contains(output))
            ? Writer.Rename(output, Name, _nodes)
            : output;

    /// <summary>A weight of the layer as an initializer (written once when shared).</summary>
    public string Weight(Variable variable) => Writer.Weight(variable, $"{Name}/{variable.Name}");

    /// <summary>A constant tensor of the layer (a folded weight, a broadcast shape).</summary>
    public string Constant(string role, Tensor value) => Writer.Initializer($"{Name}/{role}", value);

    public string Ints(string role, params long[] values) => Writer.Ints($"{Name}/{role}", values);

    public string Scalar(string role, double value) => Writer.Scalar($"{Name}/{role}", value);

    /// <summary>The error for a configuration that has no ONNX equivalent: the exporter lists it with the layer's name.</summary>
    public static NotSupportedException Unsupported(string reason) => new(reason);
}
