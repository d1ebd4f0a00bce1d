using static TorchSharp.torch;

namespace Tanuki;

/// <summary>The directed acyclic graph of layer calls behind a functional model, in topological order.</summary>
internal sealed class Graph
{
    private Graph(string modelName, SymbolicTensor[] inputs, SymbolicTensor[] outputs, List<Node> nodes, List<Layer> layers)
    {
        ModelName = modelName;
        Inputs = inputs;
        Outputs = outputs;
        Nodes = nodes;
        Layers = layers;
    }

    public string ModelName { get; }
    public SymbolicTensor[] Inputs { get; }
    public SymbolicTensor[] Outputs { get; }

    /// <summary>Layer calls in an order where every node comes after the nodes it depends on.</summary>
    public List<Node> Nodes { get; }

    /// <summary>Input layers first, then every other layer once, in the order of its first call.</summary>
    public List<Layer> Layers { get; }

    private InferenceFusion? _fusion;
    private TrainingFusion? _trainingFusion;
    private bool? _hasConvolutions;

    /// <summary>Whether any node is a convolution (the only layers channels-last memory speeds up).</summary>
    public bool HasConvolutions => _hasConvolutions ??= Nodes.Any(n => n.Layer is Tanuki.Layers.Conv2D or Tanuki.Layers.DepthwiseConv2D
        || (n.Layer is Model m && m.FunctionalGraph is Graph g && g.HasConvolutions));

    /// <summary>Frozen Conv2D → BatchNormalization (→ ReLU) chains run as one convolution in inference.</summary>
    public InferenceFusion Fusion => _fusion ??= new InferenceFusion(this);

    /// <summary>Convolution → inference-mode BatchNormalization chains run as one convolution in a training step.</summary>
    public TrainingFusion TrainingFusion => _trainingFusion ??= new TrainingFusion(this);

    /// <summary>The execution options of the model this graph belongs to (its <see cref="Model.Execution"/>).</summary>
    public Func<ExecutionOptions> Execution { get; set; } = () => ExecutionOptions.Default;

    public static Graph Create(IReadOnlyList<SymbolicTensor> inputs, IReadOnlyList<SymbolicTensor> outputs, string modelName)
    {
        if (inputs.Count == 0) throw new ArgumentException($"Model '{modelName}' needs at least one input.");
        if (outputs.Count == 0) throw new ArgumentException($"Model '{modelName}' needs at least one output.");
        foreach (SymbolicTensor t in inputs)
        {
            if (t is not Input)
                throw new ArgumentException($"Model '{modelName}': inputs must be Input objects (new Input(...)). Received {t}, the output of layer '{t.Node?.Layer.Name}'.");
        }
        var dup = inputs.GroupBy(t => t).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
            throw new ArgumentException($"Model '{modelName}': the list of inputs contains the same input '{dup.Key.Name}' more than once. Each input must be passed once.");

        var inputSet = new HashSet<SymbolicTensor>(inputs);
        var order = new List<Node>();
        var state = new Dictionary<Node, bool>(); // false: visiting, true: done
        void Visit(SymbolicTensor t, string consumer)
        {
            if (inputSet.Contains(t)) return;
            if (t.Node is null)
                throw new ArgumentException(
                    $"Graph disconnected in model '{modelName}': cannot obtain a value for '{t.Name}' {Shapes.Format(t.Shape)}, needed by '{consumer}'. " +
                    $"It is an input that was not passed to the model; its inputs are [{string.Join(", ", inputs.Select(i => i.Name))}].");
            Node node = t.Node;
            if (state.TryGetValue(node, out bool done))
            {
                if (!done) throw new ArgumentException($"Model '{modelName}': the graph has a cycle through layer '{node.Layer.Name}'.");
                return;
            }
            state[node] = false;
            foreach (SymbolicTensor i in node.Inputs) Visit(i, node.Layer.Name);
            state[node] = true;
            order.Add(node);
        }
        foreach (SymbolicTensor o in outputs) Visit(o, "the model's outputs");

        var layers = new List<Layer>();
        foreach (SymbolicTensor i in inputs) layers.Add(((Input)i).Layer);
        foreach (Node n in order)
            if (!layers.Contains(n.Layer)) layers.Add(n.Layer);
        var names = layers.GroupBy(l => l.Name).FirstOrDefault(g => g.Count() > 1);
        if (names is not null)
            throw new ArgumentException($"Model '{modelName}': the name \"{names.Key}\" is used {names.Count()} times. All layer names should be unique.");
        return new Graph(modelName, inputs.ToArray(), outputs.ToArray(), order, layers);
    }

    public void CheckInputShapes(IReadOnlyList<long[]> shapes)
    {
        if (shapes.Count != Inputs.Length)
            throw new ArgumentException($"Model '{ModelName}' expects {Inputs.Length} input(s) ([{string.Join(", ", Inputs.Select(i => $"'{i.Name}' {Shapes.Format(i.Shape)}"))}]), but it received {shapes.Count}.");
        for (int i = 0; i < shapes.Count; i++)
        {
            long[] expected = Inputs[i].Shape;
            if (!Shapes.Compatible(expected, shapes[i]))
                throw new ArgumentException(
                    $"Input {i} ('{Inputs[i].Name}') of model '{ModelName}' is incompatible: expected shape {Shapes.Format(expected)}, but received input with shape {Shapes.Format(shapes[i])}.");
        }
    }

    public IReadOnlyList<long[]> ComputeOutputShapes(IReadOnlyList<long[]> inputShapes)
    {
        CheckInputShapes(inputShapes);
        var shapes = new Dictionary<SymbolicTensor, long[]>();
        for (int i = 0; i < Inputs.Length; i++) shapes[Inputs[i]] = inputShapes[i];
        foreach (Node node in Nodes)
        {
            IReadOnlyList<long[]> outs = node.Layer.ComputeOutputShape(node.Inputs.Select(t => shapes[t]).ToArray());
            for (int k = 0; k < node.Outputs.Length; k++) shapes[node.Outputs[k]] = outs[k];
        }
        return Outputs.Select(o => shapes[o]).ToArray();
    }

    /// <summary>
    /// The scalars one sample's layer outputs take, all together (what a training step keeps for the backward pass)
    /// and the largest (what inference holds at once), nested models counted layer by layer: the basis of the memory
    /// checks that run before work starts.
    /// </summary>
    public (long Total, long Largest) ActivationElements(IReadOnlyList<long[]> inputShapes)
    {
        CheckInputShapes(inputShapes);
        var shapes = new Dictionary<SymbolicTensor, long[]>();
        long total = 0, largest = 0;
        static long Count(long[] shape) => shape.Skip(1).Aggregate(1L, (a, d) => SaturatingMultiply(a, Math.Max(d, 1)));
        for (int i = 0; i < Inputs.Length; i++)
        {
            shapes[Inputs[i]] = inputShapes[i];
            total = SaturatingAdd(total, Count(inputShapes[i]));
        }
        foreach (Node node in Nodes)
        {
            long[][] ins = node.Inputs.Select(t => shapes[t]).ToArray();
            if (node.Layer is Model { FunctionalGraph: Graph inner })
            {
                var (t, l) = inner.ActivationElements(ins);
                total = SaturatingAdd(total, t);
                largest = Math.Max(largest, l);
            }
            IReadOnlyList<long[]> outs = node.Layer.ComputeOutputShape(ins);
            for (int k = 0; k < node.Outputs.Length; k++)
            {
                shapes[node.Outputs[k]] = outs[k];
                long n = Count(outs[k]);
                total = SaturatingAdd(total, n);
                largest = Math.Max(largest, n);
            }
        }
        return (total, largest);
    }

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    private static long SaturatingMultiply(long a, long b) => b != 0 && a > long.MaxValue / b ? long.MaxValue : a * b;

    public Tensor[] Run(IReadOnlyList<Tensor> inputs, bool training)
    {
        inputs = AsFloat(inputs);
        var values = new Dictionary<SymbolicTensor, Tensor>();
        bool channelsLast = MemoryLayout.UseChannelsLast(this, inputs, Execution());
        for (int i = 0; i < Inputs.Length; i++) values[Inputs[i]] = channelsLast ? MemoryLayout.ToChannelsLast(inputs[i]) : inputs[i];
        if (torch.is_grad_enabled()) RunNodes(values, training, skip: null);
        else RunFreeing(values, training, protect: inputs);
        return Outputs.Select(o => values[o]).ToArray();
    }

    /// <summary>
    /// Inputs as the float32 an Input takes: integer, boolean or float64 data (images as bytes, labels fed by mistake,
    /// C# double arrays) are converted, as Keras converts what a functional model is given to its inputs' dtype, rather
    /// than failing deep inside libtorch with a dtype error.
    /// </summary>
    internal static IReadOnlyList<Tensor> AsFloat(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.All(t => t.dtype == ScalarType.Float32)) return inputs;
        return inputs.Select(t => t.dtype is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 || t.is_complex() ? t : t.to_type(ScalarType.Float32)).ToArray();
    }

    private Dictionary<SymbolicTensor, int>? _uses;

    /// <summary>How many node inputs read each tensor, plus one for each model output it is.</summary>
    private Dictionary<SymbolicTensor, int> Uses()
    {
        if (_uses is not null) return _uses;
        var uses = new Dictionary<SymbolicTensor, int>();
        foreach (Node n in Nodes)
            foreach (SymbolicTensor t in n.Inputs) uses[t] = uses.GetValueOrDefault(t) + 1;
        foreach (SymbolicTensor o in Outputs) uses[o] = uses.GetValueOrDefault(o) + 1;
        return _uses = uses;
    }

    /// <summary>
    /// Inference: like <see cref="RunNodes"/>, but disposes each intermediate tensor as soon as its last reader has run,
    /// as PyTorch's reference counting does, so a deep network's activations do not all stay alive until the end (lower
    /// peak memory, warmer caches, steadier step times). Tensors are counted by object, since a layer may return its
    /// input itself (Dropout in inference) or share it with another output (an in-place ReLU after a fused convolution);
    /// the caller's inputs and the model's outputs are never disposed.
    /// </summary>
    private void RunFreeing(Dictionary<SymbolicTensor, Tensor> values, bool training, IReadOnlyList<Tensor> protect)
    {
        var remaining = new Dictionary<SymbolicTensor, int>(Uses());
        var holders = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        var keep = new HashSet<Tensor>(protect, ReferenceEqualityComparer.Instance);
        foreach (SymbolicTensor o in Outputs) remaining[o] = int.MaxValue;   // outputs stay alive
        void Hold(SymbolicTensor t)
        {
            if (values.TryGetValue(t, out Tensor? v) && remaining.GetValueOrDefault(t) > 0) holders[v] = holders.GetValueOrDefault(v) + 1;
        }
        void Release(SymbolicTensor t)
        {
            if (!remaining.TryGetValue(t, out int n) || n == int.MaxValue) return;
            remaining[t] = --n;
            if (n > 0 || !values.TryGetValue(t, out Tensor? v)) return;
            int h = holders.GetValueOrDefault(v) - 1;
            holders[v] = h;
            if (h <= 0 && !keep.Contains(v)) v.Dispose();
        }
        foreach (SymbolicTensor i in Inputs) Hold(i);
        foreach (Node node in Nodes)
        {
            if (!node.Outputs.All(values.ContainsKey))
            {
                var before = new HashSet<SymbolicTensor>(values.Keys);
                if (!Fusion.TryRun(node, values, training, skip: null))
                {
                    Tensor[] args = new Tensor[node.Inputs.Length];
                    for (int k = 0; k < args.Length; k++) args[k] = values[node.Inputs[k]];
                    Tensor[] outs = node.Layer.Call(args, node.Training ?? training);
                    for (int k = 0; k < node.Outputs.Length; k++) values[node.Outputs[k]] = outs[k];
                }
                foreach (SymbolicTensor t in values.Keys) if (!before.Contains(t)) Hold(t);
            }
            foreach (SymbolicTensor t in node.Inputs) Release(t);
        }
    }

    /// <summary>On by default; benchmarks and tests switch it off to compare.</summary>
    internal static bool NoGradForFrozenNodes { get; set; } = true;

    /// <summary>
    /// Whether a node with gradients enabled records nothing anyway: a built layer none of whose weights and none of
    /// whose inputs require a gradient. Only nested models gain from running it under no_grad, so only they are.
    /// </summary>
    private static bool NoGradientFlows(Node node, Tensor[] args) =>
        NoGradForFrozenNodes && node.Layer is Model && torch.is_grad_enabled() && node.Layer.Built &&
        args.All(a => !a.requires_grad) && node.Layer.Weights.All(w => !w.Value.requires_grad);

    /// <summary>
    /// Runs every node not in <paramref name="skip"/> whose outputs are not already in <paramref name="values"/>,
    /// in topological order (the frozen-feature cache runs the prefix, then the rest from cached values).
    /// </summary>
    public void RunNodes(Dictionary<SymbolicTensor, Tensor> values, bool training, ISet<Node>? skip)
    {
        foreach (Node node in Nodes)
        {
            if (skip is not null && skip.Contains(node)) continue;
            if (node.Outputs.All(values.ContainsKey)) continue;
            if (Fusion.TryRun(node, values, training, skip)) continue;
            if (TrainingFusion.TryRun(node, values, training, skip, Execution())) continue;
            Tensor[] args = new Tensor[node.Inputs.Length];
            for (int k = 0; k < args.Length; k++) args[k] = values[node.Inputs[k]];
            Tensor[] outs;
            // Where nothing needs a gradient (a frozen base on augmented images), running without recording gives the
            // same values and lets a nested model free its intermediates and use channels-last memory.
            using (NoGradientFlows(node, args) ? torch.no_grad() : null)
                outs = node.Layer.Call(args, node.Training ?? training);
            for (int k = 0; k < node.Outputs.Length; k++) values[node.Outputs[k]] = outs[k];
        }
    }
}
