using Google.Protobuf;
using Tanuki.Interop.OnnxImport.Protos;

namespace Tanuki.Tests.Interop;

/// <summary>A small fluent builder of ONNX graphs (opset 13 unless told), for tests that need a model of their own.</summary>
internal sealed class OnnxGraphBuilder
{
    private readonly GraphProto _graph = new() { Name = "test_graph" };
    private readonly long _opset;

    public OnnxGraphBuilder(long opset = 13) => _opset = opset;

    public OnnxGraphBuilder Input(string name, params long[] shape)
    {
        _graph.Input.Add(Value(name, shape));
        return this;
    }

    public OnnxGraphBuilder Output(string name, params long[] shape)
    {
        _graph.Output.Add(Value(name, shape));
        return this;
    }

    public OnnxGraphBuilder Initializer(string name, Tensor value)
    {
        Tensor v = value.to(ScalarType.Float32).contiguous();
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(v.shape);
        t.FloatData.AddRange(v.data<float>().ToArray());
        _graph.Initializer.Add(t);
        return this;
    }

    public OnnxGraphBuilder Ints(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        _graph.Initializer.Add(t);
        return this;
    }

    /// <summary>An int64 scalar (rank 0), as exporters use for Gather indices.</summary>
    public OnnxGraphBuilder IntScalar(string name, long value)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Int64Data.Add(value);
        _graph.Initializer.Add(t);
        return this;
    }

    public OnnxGraphBuilder Node(string op, string name, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        foreach (var (n, v) in attributes)
        {
            var a = new AttributeProto { Name = n };
            switch (v)
            {
                case long i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
                case int i: a.Type = AttributeProto.Types.AttributeType.Int; a.I = i; break;
                case float f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = f; break;
                case double f: a.Type = AttributeProto.Types.AttributeType.Float; a.F = (float)f; break;
                case string s: a.Type = AttributeProto.Types.AttributeType.String; a.S = ByteString.CopyFromUtf8(s); break;
                case long[] ints: a.Type = AttributeProto.Types.AttributeType.Ints; a.Ints.AddRange(ints); break;
                case TensorProto t: a.Type = AttributeProto.Types.AttributeType.Tensor; a.T = t; break;
                default: throw new ArgumentException($"attribute {n}: unsupported value {v}");
            }
            node.Attribute.Add(a);
        }
        _graph.Node.Add(node);
        return this;
    }

    public ModelProto Build()
    {
        // The IR version that came with the opset (ONNX Runtime checks the two agree).
        long ir = _opset >= 21 ? 10 : _opset >= 19 ? 9 : 8;
        var model = new ModelProto { IrVersion = ir, ProducerName = "tanuki-tests", Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = _opset });
        return model;
    }

    public string Save(string fileName) => OnnxTestModels.Save(Build(), fileName);

    private static ValueInfoProto Value(string name, long[] shape)
    {
        var tensor = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        foreach (long d in shape)
            tensor.Shape.Dim.Add(d > 0 ? new TensorShapeProto.Types.Dimension { DimValue = d } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensor } };
    }
}
