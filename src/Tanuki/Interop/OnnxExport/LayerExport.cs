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

    public LayerExport(OnnxGraphWriter writer, Layer layer, string name, IReadOnlyList<OnnxValue> inputs, int opset)
    {
        Writer = writer;
        Layer = layer;
        Name = name;
        Inputs = inputs;
        Opset = opset;
    }

    public OnnxGraphWriter Writer { get; }
    public Layer Layer { get; }

    /// <summary>The layer's name, prefixed by the names of the models it is nested in (<c>base/conv1</c>).</summary>
    public string Name { get; }

    public IReadOnlyList<OnnxValue> Inputs { get; }
    public OnnxValue Input => Inputs[0];
    public int Opset { get; }

    /// <summary>Adds a node. The layer's first node is named after the layer; later ones after the layer and <paramref name="role"/>.</summary>
    public string Node(string opType, string role, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Writer.Node(opType, _nodes++ == 0 ? Name : $"{Name}/{role}", inputs, attributes);

    /// <summary>A weight of the layer as an initializer (written once when shared).</summary>
    public string Weight(Variable variable) => Writer.Weight(variable, $"{Name}/{variable.Name}");

    /// <summary>A constant tensor of the layer (a folded weight, a broadcast shape).</summary>
    public string Constant(string role, Tensor value) => Writer.Initializer($"{Name}/{role}", value);

    public string Ints(string role, params long[] values) => Writer.Ints($"{Name}/{role}", values);

    public string Scalar(string role, double value) => Writer.Scalar($"{Name}/{role}", value);

    /// <summary>The error for a configuration that has no ONNX equivalent: the exporter lists it with the layer's name.</summary>
    public static NotSupportedException Unsupported(string reason) => new(reason);
}
