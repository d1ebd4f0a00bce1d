using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Turns an <see cref="OnnxGraph"/> into a functional <see cref="Model"/> of ordinary layers, in four passes:
/// find the nodes the outputs need and which tensors are computed at import (constants and shape arithmetic); find
/// the patterns that are one Keras layer (<see cref="OnnxFusions"/>: LayerNormalization, GELU, ...); check every
/// needed node and throw one error listing all that cannot be imported; then convert node by node, folding
/// constants and shape arithmetic as they are met (<see cref="OnnxImporter"/>'s other part).
/// </summary>
internal sealed partial class OnnxImporter
{
    public const int MinOpset = 7;
    public const int MaxOpset = 21;

    private readonly Dictionary<string, OnnxNode> _producers = new();
    private readonly Dictionary<string, List<OnnxNode>> _consumers = new();
    private readonly List<OnnxNode> _needed = new();
    private readonly string[] _outputs;
    private Dictionary<OnnxNode, OnnxFusion> _fusions = new();
    private readonly HashSet<OnnxNode> _fused = new();

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
            foreach (Tensor t in _constants.Values.Concat(_powers.Values)) t.Dispose();
            _constants.Clear();
            _powers.Clear();
        }
    }

    private Model ImportCore()
    {
        // Temporaries (converted weights, casts) die here; weights are copied into variables that outlive it.
        using var scope = torch.NewDisposeScope();
        FindNeededNodesAndConstants();
        _fusions = OnnxFusions.Find(this);
        foreach (OnnxFusion f in _fusions.Values) _fused.UnionWith(f.Members);
        CheckSupport();
        List<Input> inputs = MakeInputs();
        foreach (OnnxNode node in _needed)
        {
            if (node.NamedOutputs.All(IsConstant)) continue;           // folded on demand
            if (_fused.Contains(node) && !_fusions.ContainsKey(node)) continue;   // inside a pattern its last node imports
            if (_absorbed.TryGetValue(node, out OnnxLayout? result))
            {
                _layouts[node.Outputs[0]] = result;                     // done by an earlier node's layer
                continue;
            }
            OnnxLayout[] outs;
            try { outs = _fusions.TryGetValue(node, out OnnxFusion? fusion) ? [fusion.Convert(this)] : OnnxOperators.Get(node).Convert(node, this); }
            catch (Exception e) when (e is ArgumentException or NotSupportedException && !e.Message.StartsWith("Cannot import", StringComparison.Ordinal))
            {
                string what = _fusions.TryGetValue(node, out OnnxFusion? f) ? $"{node.Describe()} (the end of a {f.Kind} pattern)" : node.Describe();
                throw new NotSupportedException($"Cannot import node {what} of '{Graph.Path}': {e.Message}", e);
            }
            for (int i = 0; i < outs.Length && i < node.Outputs.Length; i++)
                if (node.Outputs[i].Length > 0) _layouts[node.Outputs[i]] = outs[i];
        }
        var outputs = new List<SymbolicTensor>();
        foreach (string name in _outputs)
        {
            if (IsConstant(name))
                throw new NotSupportedException($"The output '{name}' of '{Graph.Path}' is a constant (it depends on no input); a Tanuki model cannot output a constant.");
            try { outputs.Add(Value(name)); }
            catch (NotSupportedException e)
            {
                throw new NotSupportedException($"Cannot import the output '{name}' of '{Graph.Path}': {e.Message}", e);
            }
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
        foreach (OnnxNode node in _needed)
            foreach (string i in node.Inputs.Where(i => i.Length > 0).Distinct())
                (_consumers.TryGetValue(i, out var list) ? list : _consumers[i] = new List<OnnxNode>()).Add(node);

        // Computed at import, making no layers: constants, and shape arithmetic (a Shape of any tensor, and what is
        // computed from shapes and constants only).
        foreach (string name in Graph.Initializers.Keys) _constantNames.Add(name);
        foreach (string name in Options.Constants?.Keys ?? []) _constantNames.Add(name);
        foreach (OnnxNode node in _needed)
        {
            bool shape = node.Domain.Length == 0 && node.OpType == "Shape";
            if (shape || (ConstantFolder.CanFold(node) && node.Inputs.Where(i => i.Length > 0).All(_constantNames.Contains)))
                foreach (string o in node.NamedOutputs) _constantNames.Add(o);
        }
    }

    /// <summary>One error for everything that cannot be imported, before any layer is made.</summary>
    private void CheckSupport()
    {
        var problems = new List<string>();
        const string convert = "convert it with onnx.version_converter.convert_version(model, 17) in Python";
        if (Opset > MaxOpset)
            problems.Add($"the model uses operator set {Opset}; Tanuki imports opsets {MinOpset} to {MaxOpset} ({convert})");
        var tooOld = new SortedSet<string>(StringComparer.Ordinal);
        var unknown = new Dictionary<string, List<string>>();
        foreach (OnnxNode node in _needed)
        {
            if (node.NamedOutputs.All(IsConstant) || _fused.Contains(node)) continue;
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
            catch (ShapeNotYetKnownException) { reason = null; }      // shape arithmetic on computed tensors: checked when converted
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
            _layouts[name] = input;
            inputs.Add(input);
        }
        return inputs;
    }
}
