using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// A model: a layer that can be compiled, fitted, evaluated, saved. Built either from symbolic tensors
/// (<c>new Model(inputs, outputs)</c>, the functional API: a graph of layer calls) or as a <see cref="Sequential"/>.
/// A model is itself a layer, so it can be called inside another model; its weights and trainable flag belong
/// to the outer model's tree.
/// </summary>
public partial class Model : Layer
{
    private readonly Graph? _graph;

    /// <summary>A functional model from one input to one output.</summary>
    public Model(SymbolicTensor inputs, SymbolicTensor outputs, string? name = null)
        : this(new[] { inputs ?? throw new ArgumentNullException(nameof(inputs)) }, new[] { outputs ?? throw new ArgumentNullException(nameof(outputs)) }, name) { }

    /// <summary>A functional model with several inputs and/or outputs.</summary>
    public Model(IReadOnlyList<SymbolicTensor> inputs, IReadOnlyList<SymbolicTensor> outputs, string? name = null)
        : base(name ?? Names.Unique("functional"))
    {
        _graph = Graph.Create(inputs, outputs, Name);
        foreach (Layer layer in _graph.Layers) Track(layer);
        Build(_graph.Inputs.Select(i => i.Shape).ToArray());
    }

    /// <summary>For subclasses (<see cref="Sequential"/>, or a model with its own forward pass).</summary>
    protected Model(string? name) : base(name) { }

    /// <summary>The model's inputs (functional models and Sequentials with an Input).</summary>
    public virtual IReadOnlyList<SymbolicTensor> Inputs => _graph?.Inputs ?? [];

    /// <summary>The model's outputs (functional models and Sequentials with an Input).</summary>
    public virtual IReadOnlyList<SymbolicTensor> Outputs => _graph?.Outputs ?? [];

    internal Graph? FunctionalGraph => _graph;

    /// <summary>
    /// The class names by label index (what output <c>i</c> means), when known. <c>Fit</c> on a dataset that has
    /// class names sets it if it is null; <c>Save</c> keeps it and <c>Load</c> restores it.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>Finds a layer by name among <see cref="Layer.Layers"/>.</summary>
    /// <exception cref="ArgumentException">No layer has that name; the message lists the names there are.</exception>
    public Layer GetLayer(string name)
    {
        foreach (Layer l in Layers)
            if (l.Name == name) return l;
        throw new ArgumentException($"No such layer: {name}. Existing layers are: [{string.Join(", ", Layers.Select(l => l.Name))}].", nameof(name));
    }

    /// <summary>Finds a layer by its position in <see cref="Layer.Layers"/>.</summary>
    public Layer GetLayer(int index)
    {
        if (index < 0 || index >= Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Model '{Name}' has {Layers.Count} layers. Received: index={index}");
        return Layers[index];
    }

    /// <inheritdoc />
    internal override bool IsStochastic(bool training) =>
        _graph is null ? base.IsStochastic(training) : _graph.Nodes.Any(n => n.Layer.IsStochastic(n.Training ?? training));

    /// <inheritdoc />
    protected override void BuildCore(IReadOnlyList<long[]> inputShapes)
    {
        if (_graph is null) base.BuildCore(inputShapes);
        else _graph.CheckInputShapes(inputShapes);
    }

    /// <inheritdoc />
    public override IReadOnlyList<long[]> ComputeOutputShape(IReadOnlyList<long[]> inputShapes)
    {
        if (_graph is null) return base.ComputeOutputShape(inputShapes);
        return _graph.ComputeOutputShapes(inputShapes);
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        if (_graph is null) return base.ComputeOutputShape(inputShape);
        IReadOnlyList<long[]> shapes = _graph.ComputeOutputShapes([inputShape]);
        if (shapes.Count != 1)
            throw new InvalidOperationException($"Model '{Name}' has {shapes.Count} outputs; use ComputeOutputShape(IReadOnlyList<long[]>) to get all of them.");
        return shapes[0];
    }

    /// <inheritdoc />
    protected override Tensor[] Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        if (_graph is null) return base.Forward(inputs, training);
        _graph.CheckInputShapes(inputs.Select(t => t.shape).ToArray());
        return _graph.Run(inputs, training, Execution.InContext());
    }
}
