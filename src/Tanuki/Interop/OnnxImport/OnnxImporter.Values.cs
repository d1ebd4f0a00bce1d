using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>What converters use: the computed tensors (as layouts), the values computed at import, layer names.</summary>
internal sealed partial class OnnxImporter
{
    private readonly Dictionary<string, OnnxLayout> _layouts = new();
    private readonly Dictionary<OnnxNode, OnnxLayout> _absorbed = new();
    private readonly Dictionary<string, Tensor> _constants = new();
    private readonly Dictionary<string, Tensor> _powers = new();
    private readonly HashSet<string> _batchBroadcast = new();
    private readonly HashSet<string> _constantNames = new();
    private readonly HashSet<string> _usedNames = new();

    /// <summary>The nodes the outputs need, in graph order.</summary>
    public IReadOnlyList<OnnxNode> NeededNodes => _needed;

    /// <summary>The nodes reading <paramref name="tensor"/> (among those the outputs need).</summary>
    public IReadOnlyList<OnnxNode> Consumers(string tensor) => _consumers.TryGetValue(tensor, out var list) ? list : [];

    /// <summary>The node making <paramref name="tensor"/>, or null for graph inputs and initializers.</summary>
    public OnnxNode? Producer(string tensor) => _producers.GetValueOrDefault(tensor);

    /// <summary>Whether <paramref name="tensor"/> is one of the model's outputs.</summary>
    public bool IsGraphOutput(string tensor) => _outputs.Contains(tensor);

    /// <summary>The only node reading <paramref name="tensor"/>, when exactly one does and it is not a graph output.</summary>
    public OnnxNode? SoleConsumer(string tensor) =>
        !IsGraphOutput(tensor) && Consumers(tensor) is [OnnxNode only] ? only : null;

    /// <summary>Marks <paramref name="node"/> as computed by a layer made for an earlier node (e.g. a bias Add folded into Dense).</summary>
    public void Absorb(OnnxNode node, OnnxLayout output) => _absorbed[node] = output;

    public bool IsConstant(string name) => _constantNames.Contains(name);

    // ---- Computed tensors ----

    /// <summary>How a computed tensor is held (see <see cref="OnnxLayout"/>).</summary>
    public OnnxLayout Layout(string name) =>
        _layouts.TryGetValue(name, out OnnxLayout? l) ? l
        : throw new NotSupportedException($"'{name}' is a constant here, but this operator needs it to be computed from the model's input.");

    /// <summary>The tensor with its ONNX axes in order and the batch first: what Conv, pooling, Flatten ... take.</summary>
    public SymbolicTensor Value(string name)
    {
        OnnxLayout l = Normal(name);
        if (l.BatchAxis != 0)
            throw new NotSupportedException($"'{name}' (ONNX shape {l.FormatShape()}) holds the batch on axis {l.BatchAxis}; this operator needs it on axis 0.");
        return l.Tensor;
    }

    /// <summary>Every ONNX axis one tensor axis, in ONNX order after the batch (<see cref="OnnxLayouts.Normal"/>).</summary>
    public OnnxLayout Normal(string name) => Rearrange(name, (l, namer) => OnnxLayouts.Normal(l, namer));

    /// <summary>The given ONNX axes one tensor axis each, where they are (<see cref="OnnxLayouts.Merge"/>).</summary>
    public OnnxLayout Merge(string name, params int[] onnxAxes) => Rearrange(name, (l, namer) => OnnxLayouts.Merge(l, onnxAxes, namer));

    /// <summary>The given ONNX axes one tensor axis each, last, in that order (<see cref="OnnxLayouts.Bring"/>).</summary>
    public OnnxLayout Bring(string name, params int[] onnxAxes) => Rearrange(name, (l, namer) => OnnxLayouts.Bring(l, onnxAxes, namer));

    /// <summary>Rearranges a computed tensor; the layers made are named after the node that made it, and every later
    /// reader of the tensor shares them.</summary>
    private OnnxLayout Rearrange(string name, Func<OnnxLayout, Func<string, string>, OnnxLayout> how)
    {
        OnnxLayout l = Layout(name);
        OnnxLayout arranged = how(l, MaterializedNamer(name));
        _layouts[name] = arranged;
        return arranged;
    }

    /// <summary>
    /// Names layers that rearrange <paramref name="tensor"/>: after its producer, plainly when the producer is a
    /// Transpose or Reshape (which makes no layer of its own), else with the kind ("conv_1_permute").
    /// </summary>
    public Func<string, string> MaterializedNamer(string tensor)
    {
        OnnxNode? producer = Producer(tensor);
        if (producer is null) return kind => UniqueName($"{SanitizeName(tensor)}_{kind}");
        bool layoutOnly = producer.OpType is "Transpose" or "Reshape" or "Squeeze" or "Unsqueeze" or "Flatten";
        return kind =>
        {
            string plain = Options.LayerNames?.TryGetValue(producer.Name, out string? given) == true ? given : SanitizeName(producer.Name);
            return layoutOnly && !_usedNames.Contains(plain) ? UniqueName(plain) : LayerName(producer, kind);
        };
    }

    // ---- Values computed at import ----

    /// <summary>The value of a constant ONNX tensor (an initializer, a value given in the options, or a folded node output).</summary>
    /// <param name="name">The tensor.</param>
    /// <param name="batchBroadcast">Accept a constant <c>Expand</c>ed along the batch; it is returned with size 1 there.</param>
    public Tensor Constant(string name, bool batchBroadcast = false)
    {
        var (value, power) = Folded(name);
        if (power is not null && power.ne(0).any().item<bool>())
            throw new NotSupportedException($"'{name}' depends on the batch size or on a size the input leaves free (it is [{string.Join(", ", Dims(name))}]), but this operator needs fixed numbers.");
        if (_batchBroadcast.Contains(name) && !batchBroadcast)
            throw new NotSupportedException($"'{name}' is a constant expanded along the batch; this operator cannot take it.");
        return value;
    }

    /// <summary>Whether a constant was expanded along the batch (and is held with size 1 there).</summary>
    public bool IsBatchBroadcast(string name) => _batchBroadcast.Contains(name);

    /// <summary>An integer vector (or scalar) computed at import, whose entries may be multiples of the batch size.</summary>
    public OnnxDim[] Dims(string name)
    {
        var (value, power) = Folded(name);
        long[] v = value.to(ScalarType.Int64).reshape(-1).data<long>().ToArray();
        long[] p = power is null ? new long[v.Length] : power.reshape(-1).data<long>().ToArray();
        return v.Select((x, i) => p[i] == 0 ? OnnxDim.Known(x) : p[i] == 1 ? new OnnxDim(x, 1) : OnnxDim.Unknown).ToArray();
    }

    /// <summary>An optional constant input: null when the node leaves it out.</summary>
    public Tensor? OptionalConstant(OnnxNode node, int index) => node.Input(index) is string name ? Constant(name) : null;

    /// <summary>A folded value and, for shape arithmetic, which entries are multiples of N (1) or unknown (-1).</summary>
    private (Tensor Value, Tensor? Power) Folded(string name)
    {
        if (_constants.TryGetValue(name, out Tensor? known)) return (known, _powers.GetValueOrDefault(name));
        if (!_constantNames.Contains(name))
            throw new NotSupportedException($"'{name}' must be a constant (an initializer or computed from initializers only), but it is computed from the model's input.");
        Tensor? value = null;
        if (Options.Constants?.TryGetValue(name, out Tensor? given) == true)
            value = (given.is_floating_point() ? given.to(ScalarType.Float32) : given.to(ScalarType.Int64)).cpu().detach();   // a handle of our own to dispose
        else if (Graph.Initializers.TryGetValue(name, out var proto))
            value = OnnxTensors.ToTensor(proto, Graph.Directory, $"Initializer '{name}' of '{Graph.Path}'");
        if (value is not null)
        {
            _constants[name] = value.DetachFromDisposeScope();
            return (value, null);
        }

        OnnxNode node = _producers[name];
        using (var scope = torch.NewDisposeScope())
        {
            Tensor[] outs;
            Tensor? power;
            if (node.OpType == "Shape" && !IsConstant(node.Inputs[0])) (outs, power) = ShapeOfComputed(node);
            else
            {
                var folded = node.Inputs.Select(i => i.Length > 0 ? Folded(i) : ((Tensor, Tensor?)?)null).ToArray();
                Tensor?[] values = folded.Select(f => f?.Item1).ToArray();
                Tensor?[] powers = folded.Select(f => f?.Item2).ToArray();
                if (node.OpType == "Expand" && powers.Length > 1 && powers[1] is Tensor p && p.ne(0).any().item<bool>())
                {
                    // A constant expanded along the batch keeps size 1 there; its readers broadcast it.
                    if (p.eq(-1).any().item<bool>() || node.Inputs[0].Length == 0 || p.reshape(-1)[1..].ne(0).any().item<bool>())
                        throw new NotSupportedException($"{node.Describe()} expands to a shape that depends on sizes other than the batch: [{string.Join(", ", Dims(node.Inputs[1]))}].");
                    values[1] = torch.where(p.eq(1), torch.ones_like(values[1]!), values[1]!);
                    powers[1] = null;
                    _batchBroadcast.Add(node.Outputs[0]);
                }
                outs = ConstantFolder.Fold(node, values, this);
                power = ShapeArithmetic.Powers(node, values, powers, outs[0], this);
            }
            for (int i = 0; i < outs.Length && i < node.Outputs.Length; i++)
                if (node.Outputs[i].Length > 0) _constants[node.Outputs[i]] = outs[i].DetachFromDisposeScope();
            if (power is not null) _powers[node.Outputs[0]] = power.DetachFromDisposeScope();
        }
        return (_constants[name], _powers.GetValueOrDefault(name));
    }

    /// <summary>A Shape of a computed tensor: its sizes, the batch as N, free sizes unknown.</summary>
    private (Tensor[] Value, Tensor Power) ShapeOfComputed(OnnxNode node)
    {
        if (!_layouts.TryGetValue(node.Inputs[0], out OnnxLayout? l))
            throw new ShapeNotYetKnownException(node);
        OnnxDim[] dims = l.OnnxShape;
        long rank = dims.Length;
        long start = node.Int("start", 0), end = node.Int("end", rank);
        if (start < 0) start += rank;
        if (end < 0) end += rank;
        start = Math.Clamp(start, 0, rank);
        end = Math.Clamp(end, start, rank);
        OnnxDim[] kept = dims[(int)start..(int)end];
        return ([torch.tensor(kept.Select(d => d.Value).ToArray())], torch.tensor(kept.Select(d => (long)d.Power).ToArray()));
    }

    /// <summary>An element-wise layer on the node's first input, whatever its layout: the output keeps it.</summary>
    public OnnxLayout Unary(OnnxNode node, Layer layer)
    {
        OnnxLayout x = Layout(node.Inputs[0]);
        return x.On(Call(layer, x.Tensor));
    }

    // ---- Layers ----

    /// <summary>Whether any node or graph output reads output <paramref name="index"/> of <paramref name="node"/>.</summary>
    public bool IsOutputUsed(OnnxNode node, int index)
    {
        if (index >= node.Outputs.Length || node.Outputs[index].Length == 0) return false;
        string name = node.Outputs[index];
        return IsGraphOutput(name) || Consumers(name).Count > 0;
    }

    /// <summary>A layer name for a node: from the options, or the node's own name; <paramref name="suffix"/> for a node's extra layers.</summary>
    public string LayerName(OnnxNode node, string? suffix = null)
    {
        string baseName = Options.LayerNames?.TryGetValue(node.Name, out string? given) == true ? given : SanitizeName(node.Name);
        return UniqueName(suffix is null ? baseName : $"{baseName}_{suffix}");
    }

    /// <summary>
    /// A layer name for nodes imported as one layer: the path their names share (PyTorch names nodes by module,
    /// "/encoder/layers/encoder_layer_0/ln_1/Sub"), or the last node's name.
    /// </summary>
    public string LayerName(IReadOnlyList<OnnxNode> members)
    {
        OnnxNode head = members[^1];
        if (Options.LayerNames?.TryGetValue(head.Name, out string? given) == true) return UniqueName(given);
        string prefix = members.Select(m => m.Name).Aggregate((a, b) => new string(a.Zip(b).TakeWhile(p => p.First == p.Second).Select(p => p.First).ToArray()));
        int slash = prefix.LastIndexOf('/');
        string shared = slash > 0 ? prefix[..slash].Trim('/') : "";
        return shared.Length > 0 ? UniqueName(SanitizeName(shared)) : LayerName(head);
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

/// <summary>Shape arithmetic on a tensor not computed yet (while checking): it is evaluated when the graph is converted.</summary>
internal sealed class ShapeNotYetKnownException(OnnxNode node) : Exception($"{node.Describe()} reads the shape of a tensor the model computes.");
