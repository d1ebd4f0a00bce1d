using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Turns an <see cref="OnnxGraph"/> into a functional <see cref="Model"/> of ordinary layers, in three passes:
/// find the nodes the outputs need and which tensors are constants; check every needed node and throw one error
/// listing all that cannot be imported; then convert node by node, folding constants as they are met.
/// </summary>
internal sealed class OnnxImporter
{
    public const int MinOpset = 7;
    public const int MaxOpset = 17;

    private readonly Dictionary<string, SymbolicTensor> _values = new();
    private readonly Dictionary<string, Tensor> _constants = new();
    private readonly HashSet<string> _constantNames = new();
    private readonly Dictionary<string, OnnxNode> _producers = new();
    private readonly HashSet<string> _usedNames = new();
    private readonly List<OnnxNode> _needed = new();
    private readonly string[] _outputs;

    public OnnxImporter(OnnxGraph graph, OnnxImportOptions? options)
    {
        Graph = graph;
        Options = options ?? new OnnxImportOptions();
        _outputs = Options.Outputs?.ToArray() ?? graph.Outputs.Select(o => o.Name).ToArray();
        foreach (OnnxNode node in graph.Nodes)
            foreach (string o in node.NamedOutputs) _producers[o] = node;
        // The batch size the file was exported with, where it says: a Reshape to it means "the batch".
        FileBatchSize = graph.Inputs.Select(i => i.Shape is { Length: > 0 } s && s[0] > 0 ? s[0] : -1).FirstOrDefault(-1);
    }

    public OnnxGraph Graph { get; }
    public OnnxImportOptions Options { get; }
    public long Opset => Graph.Opset;
    public long FileBatchSize { get; }

    /// <summary>Imports the graph.</summary>
    public Model Import()
    {
        try { return ImportCore(); }
        finally
        {
            // Weights were copied into the layers' variables: the file's tensors can go now, not at some finalizer.
            foreach (Tensor t in _constants.Values) t.Dispose();
            _constants.Clear();
        }
    }

    private Model ImportCore()
    {
        // Temporaries (converted weights, casts) die here; weights are copied into variables that outlive it.
        using var scope = torch.NewDisposeScope();
        FindNeededNodesAndConstants();
        CheckSupport();
        List<Input> inputs = MakeInputs();
        foreach (OnnxNode node in _needed)
        {
            if (node.NamedOutputs.All(IsConstant)) continue;           // folded on demand
            if (_absorbed.TryGetValue(node, out SymbolicTensor? result))
            {
                _values[node.Outputs[0]] = result;                      // done by an earlier node's layer
                continue;
            }
            SymbolicTensor[] outs;
            try { outs = OnnxOperators.Get(node).Convert(node, this); }
            catch (ArgumentException e)
            {
                throw new NotSupportedException($"Cannot import node {node.Describe()} of '{Graph.Path}': {e.Message}", e);
            }
            for (int i = 0; i < outs.Length && i < node.Outputs.Length; i++)
                if (node.Outputs[i].Length > 0) _values[node.Outputs[i]] = outs[i];
        }
        var outputs = new List<SymbolicTensor>();
        foreach (string name in _outputs)
        {
            if (IsConstant(name))
                throw new NotSupportedException($"The output '{name}' of '{Graph.Path}' is a constant (it depends on no input); a Tanuki model cannot output a constant.");
            outputs.Add(_values[name]);
        }
        string modelName = Options.Name ?? SanitizeName(string.IsNullOrEmpty(Graph.Name) ? Path.GetFileNameWithoutExtension(Graph.Path) : Graph.Name);
        return new Model(inputs.Cast<SymbolicTensor>().ToArray(), outputs, modelName);
    }

    private void FindNeededNodesAndConstants()
    {
        var known = new HashSet<string>(Graph.Inputs.Select(i => i.Name).Concat(Graph.Initializers.Keys));
        foreach (string o in _outputs)
        {
            if (!known.Contains(o) && !_producers.ContainsKey(o))
                throw new ArgumentException(
                    $"'{o}' is not a tensor of '{Graph.Path}'. Outputs must name tensors of the graph, e.g. [{string.Join(", ", Graph.Nodes.TakeLast(5).SelectMany(n => n.NamedOutputs).Select(n => $"\"{n}\""))}].");
        }
        var needed = new HashSet<OnnxNode>();
        var stack = new Stack<string>(_outputs);
        while (stack.Count > 0)
        {
            string t = stack.Pop();
            if (!_producers.TryGetValue(t, out OnnxNode? node) || !needed.Add(node)) continue;
            foreach (string i in node.Inputs.Where(i => i.Length > 0)) stack.Push(i);
        }
        _needed.AddRange(Graph.Nodes.Where(needed.Contains));

        foreach (string name in Graph.Initializers.Keys) _constantNames.Add(name);
        foreach (string name in Options.Constants?.Keys ?? []) _constantNames.Add(name);
        foreach (OnnxNode node in _needed)
        {
            if (ConstantFolder.CanFold(node) && node.Inputs.Where(i => i.Length > 0).All(_constantNames.Contains))
                foreach (string o in node.NamedOutputs) _constantNames.Add(o);
        }
    }

    /// <summary>One error for everything that cannot be imported, before any layer is made.</summary>
    private void CheckSupport()
    {
        var problems = new List<string>();
        const string convert = "convert it with onnx.version_converter.convert_version(model, 13) in Python";
        if (Opset > MaxOpset)
            problems.Add($"the model uses operator set {Opset}; Tanuki imports opsets {MinOpset} to {MaxOpset} ({convert})");
        var tooOld = new SortedSet<string>(StringComparer.Ordinal);
        var unknown = new Dictionary<string, List<string>>();
        foreach (OnnxNode node in _needed)
        {
            if (node.NamedOutputs.All(IsConstant)) continue;
            if (!OnnxOperators.TryGet(node, out OnnxOperator? op))
            {
                string key = node.Domain.Length > 0 ? $"{node.Domain}.{node.OpType}" : node.OpType;
                if (!unknown.TryGetValue(key, out var list)) unknown[key] = list = new List<string>();
                list.Add(node.Name);
                continue;
            }
            if (Opset < MinOpset && !OnnxOperators.UnchangedSinceOpset1(node.OpType))
            {
                tooOld.Add(node.OpType);
                continue;
            }
            string? reason;
            try { reason = op.Check(node, this); }
            catch (Exception e) when (e is ArgumentException or InvalidDataException or NotSupportedException) { reason = e.Message; }
            if (reason is not null) problems.Add($"{node.Describe()}: {reason}");
        }
        if (tooOld.Count > 0)
            problems.Add($"the model uses operator set {Opset}, and {string.Join(", ", tooOld)} changed meaning before opset {MinOpset}; Tanuki imports opsets {MinOpset} to {MaxOpset} ({convert})");
        foreach (string input in NeededInputs())
        {
            OnnxValue v = Graph.Inputs.First(i => i.Name == input);
            if (v.ElementType != 0 && !OnnxTensors.IsFloat(v.ElementType))
                problems.Add($"input '{v.Name}' holds {OnnxTensors.TypeName(v.ElementType)} values; Tanuki models take float tensors " +
                             "(pass its value in OnnxImportOptions.Constants to import it as a constant)");
            else if (SampleShape(v) is null)
                problems.Add($"input '{v.Name}' has {(v.Shape is null ? "no shape in the file" : "rank 0, so no batch dimension")}; give its shape in OnnxImportOptions.InputShapes");
        }
        if (unknown.Count == 0 && problems.Count == 0) return;

        var message = new StringBuilder($"Cannot import '{Graph.Path}' (made by {Graph.Producer}, opset {Opset}):");
        if (unknown.Count > 0)
        {
            message.Append($" it uses operator types Tanuki does not import: ");
            message.Append(string.Join("; ", unknown.Select(u => $"{u.Key} (node{(u.Value.Count > 1 ? "s" : "")} {string.Join(", ", u.Value.Take(10).Select(n => $"'{n}'"))}{(u.Value.Count > 10 ? $" and {u.Value.Count - 10} more" : "")})")));
            message.Append('.');
        }
        if (problems.Count > 0)
        {
            message.Append(unknown.Count > 0 ? " Also:" : "");
            foreach (string p in problems) message.Append("\n  - ").Append(p);
        }
        message.Append($"\nSupported operators: {string.Join(", ", OnnxOperators.SupportedOpTypes)}. ");
        message.Append("If the unsupported part is at the end of the graph, OnnxImportOptions.Outputs can cut the model before it.");
        throw new NotSupportedException(message.ToString());
    }

    private IEnumerable<string> NeededInputs()
    {
        var used = new HashSet<string>(_needed.SelectMany(n => n.Inputs).Concat(_outputs));
        return Graph.Inputs.Select(i => i.Name).Where(n => used.Contains(n) && !_constantNames.Contains(n));
    }

    private long[]? SampleShape(OnnxValue input)
    {
        if (Options.InputShapes?.TryGetValue(input.Name, out long[]? given) == true) return given;
        if (Options.InputShape is long[] single) return single;
        if (input.Shape is null || input.Shape.Length == 0) return null;
        return input.Shape[1..];
    }

    private List<Input> MakeInputs()
    {
        string[] names = NeededInputs().ToArray();
        if (Options.InputShape is not null && names.Length != 1)
            throw new ArgumentException($"OnnxImportOptions.InputShape is for models with one input, but '{Graph.Path}' has {names.Length}: [{string.Join(", ", names)}]. Use InputShapes.");
        var inputs = new List<Input>();
        foreach (string name in names)
        {
            long[] shape = SampleShape(Graph.Inputs.First(i => i.Name == name))!;
            string layerName = Options.LayerNames?.TryGetValue(name, out string? given) == true ? given : SanitizeName(name);
            var input = new Input(shape, UniqueName(layerName));
            _values[name] = input;
            inputs.Add(input);
        }
        return inputs;
    }

    // ---- What converters use ----

    private readonly Dictionary<OnnxNode, SymbolicTensor> _absorbed = new();

    /// <summary>The only node reading <paramref name="tensor"/>, when exactly one does and it is not a graph output.</summary>
    public OnnxNode? SoleConsumer(string tensor)
    {
        if (_outputs.Contains(tensor)) return null;
        OnnxNode[] readers = _needed.Where(n => n.Inputs.Contains(tensor)).ToArray();
        return readers.Length == 1 ? readers[0] : null;
    }

    /// <summary>Marks <paramref name="node"/> as computed by a layer made for an earlier node (e.g. a bias Add folded into Dense).</summary>
    public void Absorb(OnnxNode node, SymbolicTensor output) => _absorbed[node] = output;

    public bool IsConstant(string name) => _constantNames.Contains(name);

    /// <summary>The symbolic tensor for a non-constant ONNX tensor.</summary>
    public SymbolicTensor Value(string name) =>
        _values.TryGetValue(name, out SymbolicTensor? t) ? t
        : throw new NotSupportedException($"'{name}' is a constant here, but this operator needs it to be computed from the model's input.");

    /// <summary>The value of a constant ONNX tensor (an initializer, a value given in the options, or a folded node output).</summary>
    public Tensor Constant(string name)
    {
        if (_constants.TryGetValue(name, out Tensor? value)) return value;
        if (!_constantNames.Contains(name))
            throw new NotSupportedException($"'{name}' must be a constant (an initializer or computed from initializers only), but it is computed from the model's input.");
        if (Options.Constants?.TryGetValue(name, out Tensor? given) == true)
            value = (given.is_floating_point() ? given.to(ScalarType.Float32) : given.to(ScalarType.Int64)).cpu().detach();   // a handle of our own to dispose
        else if (Graph.Initializers.TryGetValue(name, out var proto))
            value = OnnxTensors.ToTensor(proto, Graph.Directory, $"Initializer '{name}' of '{Graph.Path}'");
        else
        {
            OnnxNode node = _producers[name];
            Tensor?[] inputs = node.Inputs.Select(i => i.Length > 0 ? Constant(i) : null).ToArray();
            Tensor[] outs = ConstantFolder.Fold(node, inputs, this);
            for (int i = 0; i < outs.Length && i < node.Outputs.Length; i++)
                if (node.Outputs[i].Length > 0) _constants[node.Outputs[i]] = outs[i].DetachFromDisposeScope();
            return _constants[name];
        }
        _constants[name] = value.DetachFromDisposeScope();
        return value;
    }

    /// <summary>An optional constant input: null when the node leaves it out.</summary>
    public Tensor? OptionalConstant(OnnxNode node, int index) => node.Input(index) is string name ? Constant(name) : null;

    /// <summary>Whether any node or graph output reads output <paramref name="index"/> of <paramref name="node"/>.</summary>
    public bool IsOutputUsed(OnnxNode node, int index)
    {
        if (index >= node.Outputs.Length || node.Outputs[index].Length == 0) return false;
        string name = node.Outputs[index];
        return _outputs.Contains(name) || _needed.Any(n => n.Inputs.Contains(name));
    }

    /// <summary>A layer name for a node: from the options, or the node's own name; <paramref name="suffix"/> for a node's extra layers.</summary>
    public string LayerName(OnnxNode node, string? suffix = null)
    {
        string baseName = Options.LayerNames?.TryGetValue(node.Name, out string? given) == true ? given : SanitizeName(node.Name);
        return UniqueName(suffix is null ? baseName : $"{baseName}_{suffix}");
    }

    private string UniqueName(string name)
    {
        string candidate = name;
        for (int i = 1; !_usedNames.Add(candidate); i++) candidate = $"{name}_{i}";
        return candidate;
    }

    private static string SanitizeName(string name)
    {
        string s = name.Trim().TrimStart('/').Replace('/', '_').Replace(' ', '_');
        return s.Length == 0 ? "onnx" : s;
    }

    /// <summary>Calls a new layer on tensors and records the output.</summary>
    public static SymbolicTensor Call(Layer layer, params SymbolicTensor[] inputs) =>
        inputs.Length == 1 ? layer.Call(inputs[0]) : layer.Call(inputs)[0];

    /// <summary>Sets a built layer's weight from an ONNX tensor, checking the shape with a message that names the node.</summary>
    public static void SetWeight(Layer layer, string weight, Tensor value, OnnxNode node)
    {
        Variable v = layer.Weights.FirstOrDefault(w => w.Name == weight)
            ?? throw new InvalidOperationException($"Layer '{layer.Name}' has no weight '{weight}'.");
        if (!v.Shape.SequenceEqual(value.shape))
            throw new ArgumentException($"{node.Describe()}: its {weight} has shape {Shapes.Format(value.shape)}, but layer '{layer.Name}' needs {Shapes.Format(v.Shape)}.");
        v.Assign(value);
    }
}
