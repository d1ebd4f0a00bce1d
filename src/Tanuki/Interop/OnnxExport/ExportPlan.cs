using Tanuki.Applications;
using Tanuki.Layers;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// What an export writes, before any node is made: the graph's inputs, the layer calls in a topological order, and
/// the outputs, as keys (a functional model's <see cref="SymbolicTensor"/>s; for a <see cref="Sequential"/>, the
/// position in the stack). A plan can be cut to end at chosen tensors (<see cref="EndingAt"/>, <see cref="Take"/>) or
/// to start after the leading preprocessing (<see cref="WithoutLeadingPreprocessing"/>): a sub-graph of the model is
/// exported the same way as the whole of it.
/// </summary>
internal sealed class ExportPlan
{
    /// <summary>One layer call: which keys it reads and which it makes.</summary>
    public sealed record Step(Layer Layer, object[] Inputs, object[] Outputs);

    /// <summary>A graph input: its key, a name for the ONNX input, its shape (batch first, -1 where free).</summary>
    public sealed record InputValue(object Key, string Name, long[] Shape);

    private ExportPlan(Model model, IReadOnlyList<InputValue> inputs, IReadOnlyList<Step> steps, IReadOnlyList<object> outputs)
    {
        Model = model;
        Inputs = inputs;
        Steps = steps;
        Outputs = outputs;
    }

    public Model Model { get; }
    public IReadOnlyList<InputValue> Inputs { get; }
    public IReadOnlyList<Step> Steps { get; }
    public IReadOnlyList<object> Outputs { get; }

    /// <summary>The whole model: a functional graph, or a Sequential's stack (which must know its input shape).</summary>
    /// <exception cref="NotSupportedException">The model is a subclass with a forward pass of its own, or a Sequential that was never built.</exception>
    public static ExportPlan For(Model model)
    {
        if (model.FunctionalGraph is Graph g)
        {
            var inputs = g.Inputs.Select(i => new InputValue(i, i.Name, i.Shape)).ToArray();
            var steps = g.Nodes.Select(n => new Step(n.Layer, n.Inputs, n.Outputs)).ToArray();
            return new ExportPlan(model, inputs, steps, g.Outputs);
        }
        if (model is Sequential s)
        {
            long[]? shape = s.Inputs.Count == 1 ? s.Inputs[0].Shape : s.BuiltInputShapes?.FirstOrDefault();
            if (shape is null)
                throw new NotSupportedException($"Sequential '{s.Name}' has no Input and was never built, so the shape of its input is unknown. " +
                                                "Give it an Input (new Sequential(new Input(...), ...)) or call it once before exporting.");
            string name = s.Inputs.Count == 1 ? s.Inputs[0].Name : "input";
            var steps = s.Layers.Select((l, i) => new Step(l, [(object)i], [(object)(i + 1)])).ToArray();
            return new ExportPlan(model, [new InputValue(0, name, shape)], steps, [s.Layers.Count]);
        }
        throw new NotSupportedException(
            $"Model '{model.Name}' is a {model.GetType().Name} with a forward pass of its own; Tanuki exports functional models and Sequentials, " +
            "whose layers it can read. Build the same network with the functional API to export it.");
    }

    /// <summary>The part of a functional model that computes <paramref name="outputs"/> (tensors of its graph).</summary>
    /// <exception cref="ArgumentException">A tensor is not one of the model's graph.</exception>
    public ExportPlan EndingAt(IReadOnlyList<SymbolicTensor> outputs)
    {
        if (Model.FunctionalGraph is null)
            throw new ArgumentException($"Outputs can only be chosen in a functional model; '{Model.Name}' is a {Model.GetType().Name}. " +
                                        "Build a functional model (new Model(inputs, outputs)) to export a part of it.");
        if (outputs.Count == 0) throw new ArgumentException("Outputs is empty: give at least one tensor to end the exported graph at.");
        var known = new HashSet<object>(Inputs.Select(i => i.Key).Concat(Steps.SelectMany(s => s.Outputs)));
        foreach (SymbolicTensor t in outputs)
            if (!known.Contains(t))
                throw new ArgumentException($"Tensor {t} is not a tensor of model '{Model.Name}': choose outputs among the outputs of its layer calls " +
                                            $"(e.g. model.GetLayer(\"{Steps.LastOrDefault()?.Layer.Name}\")'s output), or its inputs.");
        return Pruned(outputs.Cast<object>().ToArray());
    }

    /// <summary>The first <paramref name="count"/> layers of a Sequential.</summary>
    public ExportPlan Take(int count)
    {
        if (Model is not Sequential || count < 1 || count > Steps.Count)
            throw new ArgumentException($"Expected a count of layers in [1, {Steps.Count}] of a Sequential. Received: count={count} for {Model.GetType().Name} '{Model.Name}'");
        return Pruned([count]);
    }

    private ExportPlan Pruned(object[] outputs)
    {
        var producers = new Dictionary<object, Step>();
        foreach (Step s in Steps)
            foreach (object o in s.Outputs) producers[o] = s;
        var needed = new HashSet<Step>();
        var stack = new Stack<object>(outputs);
        while (stack.Count > 0)
        {
            if (!producers.TryGetValue(stack.Pop(), out Step? step) || !needed.Add(step)) continue;
            foreach (object i in step.Inputs) stack.Push(i);
        }
        return new ExportPlan(Model, Inputs, Steps.Where(needed.Contains).ToArray(), outputs);
    }

    /// <summary>
    /// The plan without the preprocessing layers that come first (rescaling, normalization, resizing, augmentation,
    /// <see cref="ResNet18Preprocessing"/>): the graph then takes what they give.
    /// </summary>
    public ExportPlan WithoutLeadingPreprocessing()
    {
        var available = new HashSet<object>(Inputs.Select(i => i.Key));
        var skipped = new HashSet<Step>();
        foreach (Step s in Steps)
        {
            if (!IsPreprocessing(s.Layer) || !s.Inputs.All(available.Contains)) continue;
            skipped.Add(s);
            available.UnionWith(s.Outputs);
        }
        if (skipped.Count == 0) return this;
        Dictionary<object, long[]> shapes = Shapes();
        var rest = Steps.Where(s => !skipped.Contains(s)).ToArray();
        var read = new HashSet<object>(rest.SelectMany(s => s.Inputs).Concat(Outputs));
        var names = new Dictionary<object, string>();
        foreach (InputValue i in Inputs) names[i.Key] = i.Name;
        foreach (Step s in skipped)
            for (int k = 0; k < s.Outputs.Length; k++) names[s.Outputs[k]] = s.Outputs.Length == 1 ? s.Layer.Name : $"{s.Layer.Name}_{k}";
        // The tensors the rest reads from the skipped part become the inputs, in the order they are made.
        var inputs = Inputs.Select(i => i.Key).Concat(skipped.SelectMany(s => s.Outputs)).Where(read.Contains)
            .Select(k => new InputValue(k, names[k], shapes[k])).ToArray();
        return new ExportPlan(Model, inputs, rest, Outputs);
    }

    /// <summary>Layers that turn raw inputs into what the network takes, and the augmentation layers (identity in inference).</summary>
    public static bool IsPreprocessing(Layer layer) => layer is ResNet18Preprocessing or Rescaling or Normalization or Resizing
        or RandomFlip or RandomRotation or RandomZoom or RandomTranslation or RandomCrop or RandomContrast or RandomBrightness;

    /// <summary>
    /// The shape of every key, from the inputs' shapes (the plan's, or <paramref name="inputShapes"/>: those of actual
    /// inputs) through each layer's <see cref="Layer.ComputeOutputShape(IReadOnlyList{long[]})"/>.
    /// </summary>
    public Dictionary<object, long[]> Shapes(IReadOnlyList<long[]>? inputShapes = null)
    {
        var shapes = Inputs.Select((input, i) => (input.Key, Shape: inputShapes?[i] ?? input.Shape)).ToDictionary(p => p.Key, p => p.Shape);
        foreach (Step s in Steps)
        {
            IReadOnlyList<long[]> outs = s.Layer.ComputeOutputShape(s.Inputs.Select(k => shapes[k]).ToArray());
            for (int k = 0; k < s.Outputs.Length; k++) shapes[s.Outputs[k]] = outs[k];
        }
        return shapes;
    }
}
