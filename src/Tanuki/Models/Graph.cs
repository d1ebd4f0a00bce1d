using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// The directed acyclic graph of layer calls behind a functional model, in topological order: its structure and shapes
/// here; running it in <c>Graph.Run.cs</c> (the walk), its rewrites in <see cref="InferenceFusion"/>, when its
/// intermediates are freed in <see cref="MemoryPlan"/>.
/// </summary>
internal sealed partial class Graph
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
    private MemoryPlan? _memory;
    private bool? _hasConvolutions;

    /// <summary>Whether any node is a convolution (the only layers channels-last memory speeds up).</summary>
    public bool HasConvolutions => _hasConvolutions ??= Nodes.Any(n => n.Layer is IConvolution
        || (n.Layer is Model m && m.FunctionalGraph is Graph g && g.HasConvolutions));

    /// <summary>The rewrites: frozen convolution → normalization (→ ReLU) chains run as one convolution in inference.</summary>
    public InferenceFusion Fusion => _fusion ??= new InferenceFusion(this);

    /// <summary>The training step's rewrite: convolution → inference-mode normalization chains run as one convolution while gradients are recorded.</summary>
    public TrainingFusion TrainingFusion => _trainingFusion ??= new TrainingFusion(this);

    /// <summary>When each intermediate tensor of an inference run may be freed.</summary>
    public MemoryPlan Memory => _memory ??= new MemoryPlan(this);

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

    /// <summary>
    /// For the rewrites that fuse a chain of nodes: a function giving the one node that consumes a tensor, and only once,
    /// when the tensor is not also a graph output; null otherwise (its value is needed elsewhere, so the chain cannot
    /// be fused through it).
    /// </summary>
    internal Func<SymbolicTensor, Node?> OnlyConsumerFinder()
    {
        var consumers = new Dictionary<SymbolicTensor, List<Node>>();
        foreach (Node n in Nodes)
            foreach (SymbolicTensor i in n.Inputs)
            {
                if (!consumers.TryGetValue(i, out var list)) consumers[i] = list = new List<Node>();
                if (!list.Contains(n)) list.Add(n);
            }
        var outputs = new HashSet<SymbolicTensor>(Outputs);
        return t => !outputs.Contains(t) && consumers.TryGetValue(t, out var c) && c.Count == 1 && c[0].Inputs.Count(i => i == t) == 1 ? c[0] : null;
    }
}
