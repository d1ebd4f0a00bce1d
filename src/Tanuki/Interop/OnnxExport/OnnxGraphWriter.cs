using System.Runtime.InteropServices;
using Google.Protobuf;
using Tanuki.Interop.OnnxImport.Protos;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// Builds the <see cref="GraphProto"/> of an export: nodes in the order they are added (a topological order, since a
/// node is added after the nodes it reads), initializers, and unique names — one namespace for values (inputs, node
/// outputs, initializers: ONNX requires it) and one for nodes, so that a node and the value a layer outputs can both
/// bear the layer's name.
/// </summary>
internal sealed class OnnxGraphWriter
{
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<Variable, string> _weights = new();

    public GraphProto Graph { get; } = new();

    /// <summary>A value name: <paramref name="name"/>, or <c>name_1</c>, <c>name_2</c>, ... when it is taken.</summary>
    public string UniqueName(string name) => Unique(_values, name);

    private static string Unique(HashSet<string> taken, string name)
    {
        string candidate = name;
        for (int i = 1; !taken.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }

    /// <summary>Adds a node with one output value; returns the value's name.</summary>
    public string Node(string opType, string nodeName, string valueName, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = Unique(_nodes, nodeName) };
        node.Input.AddRange(inputs);
        string output = UniqueName(valueName);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Adds a node whose node and value take the same name.</summary>
    public string Node(string opType, string name, IEnumerable<string> inputs, params AttributeProto[] attributes) =>
        Node(opType, name, name, inputs, attributes);

    /// <summary>
    /// Renames the value <paramref name="value"/>, made by one of the last <paramref name="recentNodes"/> nodes, to
    /// <paramref name="name"/> (made unique) in the node that makes it and in those that read it; returns the new name.
    /// </summary>
    public string Rename(string value, string name, int recentNodes)
    {
        string renamed = UniqueName(name);
        foreach (NodeProto node in Graph.Node.Skip(Graph.Node.Count - recentNodes))
        {
            for (int i = 0; i < node.Output.Count; i++) if (node.Output[i] == value) node.Output[i] = renamed;
            for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == value) node.Input[i] = renamed;
        }
        _values.Remove(value);
        return renamed;
    }

    /// <summary>Adds a float32 (floating point tensors) or int64 (integer tensors) initializer; returns its name.</summary>
    public string Initializer(string name, Tensor value)
    {
        var proto = ToProto(UniqueName(name), value);
        Graph.Initializer.Add(proto);
        return proto.Name;
    }

    /// <summary>A layer's weight as an initializer, written once however many layers or calls share it.</summary>
    public string Weight(Variable variable, string name)
    {
        if (_weights.TryGetValue(variable, out string? existing)) return existing;
        using var scope = torch.NewDisposeScope();
        return _weights[variable] = Initializer(name, variable.Value);
    }

    /// <summary>A 1-D int64 initializer (shapes, axes, pads).</summary>
    public string Ints(string name, params long[] values)
    {
        using var scope = torch.NewDisposeScope();
        return Initializer(name, torch.tensor(values, dtype: ScalarType.Int64));
    }

    /// <summary>A float32 scalar initializer.</summary>
    public string Scalar(string name, double value)
    {
        using var scope = torch.NewDisposeScope();
        return Initializer(name, torch.tensor((float)value));
    }

    /// <summary>Declares a graph input or output of float values; -1 sizes are left free (the batch axis named <c>batch</c>).</summary>
    public static ValueInfoProto FloatValue(string name, long[] shape)
    {
        var tensorShape = new TensorShapeProto();
        for (int i = 0; i < shape.Length; i++)
        {
            var dim = new TensorShapeProto.Types.Dimension();
            if (shape[i] >= 0) dim.DimValue = shape[i];
            else if (i == 0) dim.DimParam = "batch";
            tensorShape.Dim.Add(dim);
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = tensorShape } },
        };
    }

    private static TensorProto ToProto(string name, Tensor value)
    {
        Tensor t = value.detach().cpu();
        var proto = new TensorProto { Name = name };
        proto.Dims.AddRange(t.shape);
        bool floating = t.is_floating_point();
        proto.DataType = (int)(floating ? TensorProto.Types.DataType.Float : TensorProto.Types.DataType.Int64);
        using Tensor c = t.to_type(floating ? ScalarType.Float32 : ScalarType.Int64).contiguous();
        // One copy, straight from the tensor's memory (reading it element by element through data<T>() took most of a
        // ResNet-18 session's build). ONNX's raw data is little-endian, the byte order of every platform .NET and
        // libtorch run on here.
        proto.RawData = ByteString.CopyFrom(c.bytes);
        return proto;
    }
}
