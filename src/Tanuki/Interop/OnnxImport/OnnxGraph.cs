using Google.Protobuf;
using Tanuki.Interop.OnnxImport.Protos;

namespace Tanuki.Interop.OnnxImport;

/// <summary>A graph input or output: its name, element type and shape (-1 where the file leaves a size open).</summary>
internal sealed record OnnxValue(string Name, int ElementType, long[]? Shape);

/// <summary>
/// The importer's view of an ONNX model: nodes in file order (ONNX requires a topological order), graph inputs and
/// outputs, and initializers kept as protos until they are needed (so that checking a model costs no tensor work).
/// </summary>
internal sealed class OnnxGraph
{
    private OnnxGraph(string path, ModelProto model)
    {
        Path = path;
        IrVersion = model.IrVersion;
        Producer = string.IsNullOrEmpty(model.ProducerName) ? "an unknown producer" : $"{model.ProducerName} {model.ProducerVersion}".Trim();
        GraphProto g = model.Graph;
        Name = g.Name;
        Opset = model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(0).Max();
        OtherDomains = model.OpsetImport.Where(o => o.Domain is not ("" or "ai.onnx")).Select(o => o.Domain).ToArray();
        Initializers = new Dictionary<string, TensorProto>();
        foreach (TensorProto t in g.Initializer) Initializers[t.Name] = t;
        // Before IR version 4 every initializer is also listed as a graph input; those are constants, not inputs.
        Inputs = g.Input.Where(i => !Initializers.ContainsKey(i.Name)).Select(ToValue).ToArray();
        Outputs = g.Output.Select(ToValue).ToArray();
        Nodes = g.Node.Select((n, i) => new OnnxNode(n, i)).ToArray();
        ValueInfo = g.ValueInfo.Select(ToValue).GroupBy(v => v.Name).ToDictionary(v => v.Key, v => v.First());
    }

    public string Path { get; }
    public string Name { get; }
    public long IrVersion { get; }
    public string Producer { get; }

    /// <summary>The version of the default (ai.onnx) operator set.</summary>
    public long Opset { get; }

    /// <summary>Other operator sets the model imports (custom domains).</summary>
    public string[] OtherDomains { get; }

    public Dictionary<string, TensorProto> Initializers { get; }
    public OnnxValue[] Inputs { get; }
    public OnnxValue[] Outputs { get; }
    public OnnxNode[] Nodes { get; }
    public Dictionary<string, OnnxValue> ValueInfo { get; }

    /// <summary>The folder external tensor data is looked up in.</summary>
    public string? Directory => System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path));

    private static OnnxValue ToValue(ValueInfoProto v)
    {
        TypeProto.Types.Tensor? t = v.Type?.TensorType;
        long[]? shape = t?.Shape?.Dim.Select(d => d.HasDimValue && d.DimValue > 0 ? d.DimValue : -1).ToArray();
        return new OnnxValue(v.Name, t?.ElemType ?? 0, t?.Shape is null ? null : shape);
    }

    /// <summary>Reads and checks an ONNX file. Every failure is an exception whose message says what is wrong and what to do.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model, or is damaged or truncated.</exception>
    public static OnnxGraph Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No ONNX model at '{path}' (full path {System.IO.Path.GetFullPath(path)}). Check the path.", path);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0) throw new InvalidDataException($"'{path}' is empty, not an ONNX model.");
        ModelProto model;
        try { model = ModelProto.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException(
                $"'{path}' is not a readable ONNX model: its protobuf data is damaged or cut short ({e.Message}). " +
                "If it was downloaded or copied, the copy may be incomplete: get the file again.", e);
        }
        if (model.IrVersion <= 0 || model.IrVersion > 100 || model.Graph is null)
            throw new InvalidDataException(
                $"'{path}' is not an ONNX model: it has {(model.Graph is null ? "no graph" : "no valid IR version")}. " +
                "Pass a .onnx file exported by PyTorch (torch.onnx.export), tf2onnx, CNTK or another ONNX exporter.");
        if (model.OpsetImport.Count == 0 && model.IrVersion >= 3)
            throw new InvalidDataException($"'{path}' does not name its operator set (opset_import is missing): the file is damaged or truncated. Get the file again.");
        var graph = new OnnxGraph(path, model);
        graph.CheckWiring();
        return graph;
    }

    /// <summary>Every node input must be a graph input, an initializer or an earlier node's output.</summary>
    private void CheckWiring()
    {
        if (Outputs.Length == 0) throw new InvalidDataException($"'{Path}' is damaged: its graph has no outputs.");
        var known = new HashSet<string>(Inputs.Select(i => i.Name).Concat(Initializers.Keys));
        foreach (OnnxNode node in Nodes)
        {
            foreach (string input in node.Inputs.Where(i => i.Length > 0))
                if (!known.Contains(input))
                    throw new InvalidDataException(
                        $"'{Path}' is damaged or not topologically sorted: node {node.Describe()} reads '{input}', which no earlier node, input or initializer makes.");
            foreach (string output in node.NamedOutputs) known.Add(output);
        }
        foreach (OnnxValue output in Outputs)
            if (!known.Contains(output.Name))
                throw new InvalidDataException($"'{Path}' is damaged: the graph output '{output.Name}' is made by no node.");
    }
}
