using System.Text;
using Tanuki.Interop.OnnxImport.Protos;

namespace Tanuki.Interop.OnnxImport;

/// <summary>One operator call of an ONNX graph, with typed access to its attributes.</summary>
internal sealed class OnnxNode
{
    private readonly Dictionary<string, AttributeProto> _attributes;

    public OnnxNode(NodeProto proto, int index)
    {
        OpType = proto.OpType;
        Domain = proto.Domain is "" or "ai.onnx" ? "" : proto.Domain;
        Name = string.IsNullOrEmpty(proto.Name) ? $"{proto.OpType}_{index}" : proto.Name;
        // An empty name stands for an optional input or output that is left out.
        Inputs = proto.Input.ToArray();
        Outputs = proto.Output.ToArray();
        _attributes = proto.Attribute.GroupBy(a => a.Name).ToDictionary(g => g.Key, g => g.Last());
    }

    public string OpType { get; }
    public string Domain { get; }
    public string Name { get; }
    public string[] Inputs { get; }
    public string[] Outputs { get; }
    public IEnumerable<string> AttributeNames => _attributes.Keys;

    /// <summary>How messages name the node: <c>Conv 'conv1'</c>.</summary>
    public string Describe() => $"{OpType} '{Name}'";

    public bool Has(string attribute) => _attributes.ContainsKey(attribute);

    /// <summary>The input at <paramref name="index"/>, or null when the node leaves that optional input out.</summary>
    public string? Input(int index) => index < Inputs.Length && Inputs[index].Length > 0 ? Inputs[index] : null;

    /// <summary>The outputs some other node or the graph reads are decided by the caller; this lists the named ones.</summary>
    public IEnumerable<string> NamedOutputs => Outputs.Where(o => o.Length > 0);

    public long Int(string name, long defaultValue) => _attributes.TryGetValue(name, out var a) ? a.I : defaultValue;

    public float Float(string name, float defaultValue) => _attributes.TryGetValue(name, out var a) ? a.F : defaultValue;

    public string String(string name, string defaultValue) =>
        _attributes.TryGetValue(name, out var a) ? Encoding.UTF8.GetString(a.S.Span) : defaultValue;

    public long[]? Ints(string name) => _attributes.TryGetValue(name, out var a) ? a.Ints.ToArray() : null;

    public float[]? Floats(string name) => _attributes.TryGetValue(name, out var a) ? a.Floats.ToArray() : null;

    public TensorProto? TensorAttribute(string name) => _attributes.TryGetValue(name, out var a) ? a.T : null;

    public AttributeProto.Types.AttributeType AttributeType(string name) =>
        _attributes.TryGetValue(name, out var a) ? a.Type : AttributeProto.Types.AttributeType.Undefined;

    /// <inheritdoc />
    public override string ToString() => Describe();
}
