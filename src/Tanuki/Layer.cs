using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// The base of every layer and model. A layer owns its weights (<see cref="Variable"/>s, created in
/// <see cref="BuildCore(long[])"/> through <see cref="AddWeight(string, long[], Initializer, bool, Fans?)"/>) and its
/// forward pass (<see cref="Forward(Tensor, bool)"/>), and knows nothing about training.
/// Read in this order: constructor → Build → Forward → ComputeOutputShape → GetConfig.
/// </summary>
public abstract partial class Layer
{
    private readonly List<Variable> _variables = new();
    private readonly List<Layer> _layers = new();
    private bool _trainable = true;

    /// <summary>Creates a layer named <paramref name="name"/>, or by its type (<c>dense</c>, <c>dense_1</c>, ...).</summary>
    protected Layer(string? name = null)
    {
        Backend.EnsureInitialized();
        if (name is null) Name = Names.Unique(Names.SnakeCase(GetType().Name));
        else
        {
            if (string.IsNullOrWhiteSpace(name) || name.Contains('/'))
                throw new ArgumentException($"A layer name must be non-empty and contain no '/'. Received: name=\"{name}\"", nameof(name));
            Name = name;
            Names.Reserve(name);
        }
    }

    /// <summary>The layer's name, unique among default names.</summary>
    public string Name { get; }

    /// <summary>
    /// Whether the layer's weights are updated by training. Setting it sets it on every sublayer too
    /// ("freezing"). A frozen <c>BatchNormalization</c> also runs in inference mode. Takes effect at the next
    /// <c>Fit</c> or <c>ApplyGradients</c>; no recompile is needed.
    /// </summary>
    public virtual bool Trainable
    {
        get => _trainable;
        set
        {
            _trainable = value;
            foreach (Variable v in _variables)
                if (v.IsTrainableKind) v.Trainable = value;
            foreach (Layer l in _layers) l.Trainable = value;
        }
    }

    /// <summary>Whether the weights have been created (by <see cref="Build(long[])"/> or the first call).</summary>
    public bool Built { get; private set; }

    /// <summary>The input shape(s) the layer was built for, batch dimension first (-1: any size).</summary>
    public IReadOnlyList<long[]>? BuiltInputShapes { get; private set; }

    /// <summary>The direct sublayers (empty for a leaf layer).</summary>
    public virtual IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Checked against every input before the forward pass; set by layers whose weights fix input sizes.</summary>
    protected InputSpec? InputSpec { get; set; }

    /// <summary>
    /// True for layers whose training-mode output is random (Dropout, augmentation). The frozen-feature cache
    /// never skips work that comes after one of these.
    /// </summary>
    public virtual bool IsRandom => false;

    /// <summary>
    /// Whether a call with this <paramref name="training"/> flag may give different outputs for the same input and
    /// weights (a random layer in training, a BatchNormalization using batch statistics, or such a sublayer). The
    /// frozen-feature cache only skips work that is not stochastic.
    /// </summary>
    internal virtual bool IsStochastic(bool training) => (training && IsRandom) || Layers.Any(l => l.IsStochastic(training));

    /// <summary>All weights: this layer's own in creation order, then its sublayers'. Each weight appears once.</summary>
    public IReadOnlyList<Variable> Weights => Collect(l => l._variables);

    /// <summary>
    /// The weights training updates: none when the layer is frozen, otherwise every weight of its tree whose
    /// <see cref="Variable.Trainable"/> is true (as Keras computes it: a sublayer unfrozen inside a frozen submodel
    /// counts for the enclosing model).
    /// </summary>
    public IReadOnlyList<Variable> TrainableWeights => Trainable ? Weights.Where(v => v.Trainable).ToList() : [];

    /// <summary>The weights training leaves alone: all of them when the layer is frozen, otherwise the non-trainable ones.</summary>
    public IReadOnlyList<Variable> NonTrainableWeights => Trainable ? Weights.Where(v => !v.Trainable).ToList() : Weights;

    /// <summary>Counts the scalars in <see cref="Weights"/>.</summary>
    public long CountParams() => Weights.Sum(v => v.Count);

    private List<Variable> Collect(Func<Layer, IEnumerable<Variable>> own)
    {
        var result = new List<Variable>();
        var seen = new HashSet<Variable>();
        void Visit(Layer layer)
        {
            layer.ThrowIfDisposed();
            foreach (Variable v in own(layer))
                if (seen.Add(v)) result.Add(v);
            foreach (Layer sub in layer.Layers) Visit(sub);
        }
        Visit(this);
        return result;
    }

    /// <summary>
    /// Registers a sublayer, so that its weights and trainable flag belong to this layer's tree. A sublayer that a
    /// layer calls in its <see cref="Forward(Tensor, bool)"/> is registered by that call too (Keras tracks sublayers
    /// assigned to attributes; a layer called in the forward pass is one).
    /// </summary>
    protected T Track<T>(T layer) where T : Layer
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (ReferenceEquals(layer, this)) throw new ArgumentException($"Layer '{Name}' cannot be a sublayer of itself.", nameof(layer));
        layer.ThrowIfDisposed();
        if (!_layers.Contains(layer))
        {
            _layers.Add(layer);
            layer._holders++;
        }
        if (!_trainable) layer.Trainable = false;
        return layer;
    }

    /// <summary>Removes a sublayer from this layer's tree (Sequential's <c>Pop</c>).</summary>
    private protected void Untrack(Layer layer)
    {
        if (_layers.Remove(layer)) layer._holders--;
    }

    /// <summary>Whether <paramref name="layer"/> is this layer or in its tree.</summary>
    internal bool Contains(Layer layer)
    {
        if (ReferenceEquals(layer, this)) return true;
        foreach (Layer sub in Layers)
            if (sub.Contains(layer)) return true;
        return false;
    }

    /// <summary>Creates a weight of this layer. The only way layers make weights.</summary>
    /// <param name="name">Name within the layer (<c>kernel</c>, <c>bias</c>, <c>moving_mean</c>).</param>
    /// <param name="shape">The weight's shape.</param>
    /// <param name="initializer">How to fill it.</param>
    /// <param name="trainable">False for weights gradients never update.</param>
    /// <param name="fans">Fan-in and fan-out for variance-scaling initializers when the shape alone does not say
    /// (Keras reads them off a <c>(..., in, out)</c> shape; convolutions here are <c>(out, in, h, w)</c>).</param>
    protected Variable AddWeight(string name, long[] shape, Initializer initializer, bool trainable = true, Fans? fans = null)
    {
        if (_variables.Any(v => v.Name == name))
            throw new InvalidOperationException($"Layer '{Name}' already has a weight named '{name}'.");
        if (Built)
            throw new InvalidOperationException(
                $"Layer '{Name}' is already built, so it cannot add new elements of state (weight '{name}'): a weight made in the forward pass " +
                "would be made again at every call. Create weights in the constructor or in BuildCore.");
        Saving.WeightBudget.Take(this, name, shape);   // loading a model: no more than the file holds
        Tensor value;
        using (torch.NewDisposeScope())           // the initializer's and the copies' intermediate handles go here, not to the GC
        using (torch.no_grad())
        {
            value = initializer.Create(shape, fans ?? Fans.FromKerasShape(shape)).to(Backend.Device).contiguous().MoveToOuterDisposeScope();
        }
        value = value.DetachFromDisposeScope();   // weights outlive every step's dispose scope
        var variable = new Variable(name, value, trainable, this, VariablePath(name));
        _variables.Add(variable);
        return variable;
    }

    /// <summary>Creates the weights for inputs of the given shape (batch dimension first; -1 for any size).</summary>
    public void Build(long[] inputShape) => Build(new[] { inputShape });

    /// <summary>Creates the weights for several inputs (merge layers, multi-input models).</summary>
    /// <exception cref="ArgumentException">The layer was built already for input shapes these are not compatible with.</exception>
    public void Build(IReadOnlyList<long[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        ThrowIfDisposed();
        if (Built)
        {
            if (BuiltInputShapes is { } built && (built.Count != inputShapes.Count || built.Zip(inputShapes).Any(p => !Shapes.Compatible(p.First, p.Second))))
                throw new ArgumentException(
                    $"Layer '{Name}' has already been configured to use input shape {string.Join(", ", built.Select(b => Shapes.Format(b)))}. " +
                    $"You cannot build it with input shape {string.Join(", ", inputShapes.Select(b => Shapes.Format(b)))}.");
            return;
        }
        InFrame(null, () => BuildCore(inputShapes));
        BuiltInputShapes = inputShapes.Select(s => (long[])s.Clone()).ToArray();
        Built = true;
        BuildSublayersOnCall(inputShapes);
    }

    /// <summary>Creates the weights of a multi-input layer. The default hands a single input to <see cref="BuildCore(long[])"/>
    /// and creates nothing for several (a layer whose sublayers build on their first call, as Keras's default <c>build</c>).</summary>
    protected virtual void BuildCore(IReadOnlyList<long[]> inputShapes)
    {
        if (inputShapes.Count == 1) BuildCore(inputShapes[0]);
    }

    /// <summary>Creates the weights. Layers without weights need not override it.</summary>
    protected virtual void BuildCore(long[] inputShape) { }

    /// <summary>
    /// The output shape for an input shape (batch dimension first). Tanuki's own layers that do not override it keep
    /// the shape; for a layer of yours that overrides neither overload, it is inferred as Keras's
    /// <c>compute_output_spec</c> does, by running <see cref="Forward(Tensor, bool)"/> on zeros (which also builds the
    /// sublayers it calls).
    /// </summary>
    public virtual long[] ComputeOutputShape(long[] inputShape)
    {
        if (IsTanukiLayer) return inputShape;
        IReadOnlyList<long[]> shapes = OverridesListComputeOutputShape ? ComputeOutputShape([inputShape]) : InferOutputShapes([inputShape]);
        if (shapes.Count != 1)
            throw new InvalidOperationException($"Layer '{Name}' has {shapes.Count} outputs; use ComputeOutputShape(IReadOnlyList<long[]>) to get all of them.");
        return shapes[0];
    }

    /// <summary>The output shapes for several inputs. The default handles single-input layers (and infers the shapes of
    /// your multi-input layers as <see cref="ComputeOutputShape(long[])"/> says).</summary>
    public virtual IReadOnlyList<long[]> ComputeOutputShape(IReadOnlyList<long[]> inputShapes)
    {
        if (InfersOutputShape && (inputShapes.Count != 1 || !OverridesSingleComputeOutputShape)) return InferOutputShapes(inputShapes);
        if (inputShapes.Count != 1)
            throw new ArgumentException($"Layer '{Name}' expects 1 input, but it received {inputShapes.Count} inputs.");
        return [ComputeOutputShape(inputShapes[0])];
    }

    /// <summary>The layer's forward pass on one input.</summary>
    /// <param name="inputs">The input batch.</param>
    /// <param name="training">Training behaviour (Dropout active, BatchNormalization on batch statistics) or inference.</param>
    protected virtual Tensor Forward(Tensor inputs, bool training) =>
        throw new NotSupportedException($"Layer '{Name}' of type {GetType().Name} does not take a single input.");

    /// <summary>The forward pass on several inputs. The default handles single-input layers.</summary>
    protected virtual Tensor[] Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        if (inputs.Count != 1)
            throw new ArgumentException($"Layer '{Name}' expects 1 input, but it received {inputs.Count} inputs.");
        return [Forward(inputs[0], training)];
    }

    /// <summary>Runs the layer on a batch, building it first if needed.</summary>
    /// <param name="inputs">The batch (on the device of the weights).</param>
    /// <param name="training">Training (true) or inference (false) behaviour; unset, that of the enclosing layer call,
    /// or inference outside any. This is not <see cref="Trainable"/>: it picks how the forward pass runs, not what gets updated.</param>
    public Tensor Call(Tensor inputs, bool? training = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Tensor[] outputs = Call(new[] { inputs }, training);
        if (outputs.Length != 1)
            throw new InvalidOperationException($"Layer '{Name}' returns {outputs.Length} outputs; call it with Call(IReadOnlyList<Tensor>) to get all of them.");
        return outputs[0];
    }

    /// <summary>Runs the layer on several inputs (merge layers, multi-input models).</summary>
    /// <remarks>An unset <paramref name="training"/> takes the value of the layer call this one runs in (a custom layer
    /// calling a Dropout in its forward pass without passing <c>training</c>), and false outside any call, as in Keras.</remarks>
    public Tensor[] Call(IReadOnlyList<Tensor> inputs, bool? training = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ThrowIfDisposed();
        TrackFromCaller();
        long[][] shapes = inputs.Select(t => t.shape).ToArray();
        if (!Built) Build(shapes.Select(s => { var b = (long[])s.Clone(); if (b.Length > 0) b[0] = -1; return b; }).ToArray());
        CheckInputs(shapes);
        bool resolved = ResolveTraining(training);
        List<(Layer, bool?)> frames = t_frames ??= new();   // InFrame, without a closure on this hot path
        frames.Add((this, resolved));
        try { return Forward(inputs, resolved); }
        finally { frames.RemoveAt(frames.Count - 1); }
    }

    /// <summary>Checks input shapes against <see cref="InputSpec"/>; the message names the layer and both shapes.</summary>
    internal void CheckInputs(IReadOnlyList<long[]> shapes)
    {
        if (InputSpec is null) return;
        for (int i = 0; i < shapes.Count; i++) InputSpec.Check(this, i, shapes[i]);
    }

    /// <summary>Copies of the weights' values (detached, on the CPU), in <see cref="Weights"/> order.</summary>
    public Tensor[] GetWeights() => Weights.Select(v => v.Value.detach().cpu().clone().DetachFromDisposeScope()).ToArray();

    /// <summary>Sets the weights' values from tensors in <see cref="Weights"/> order.</summary>
    /// <exception cref="ArgumentException">The count differs, or a shape differs (the message names the weight and both shapes).</exception>
    public void SetWeights(IReadOnlyList<Tensor> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        IReadOnlyList<Variable> weights = Weights;
        if (values.Count != weights.Count)
            throw new ArgumentException(
                $"Layer '{Name}' expects {weights.Count} weight arrays ({string.Join(", ", weights.Select(w => w.Path))}), but it received {values.Count}.",
                nameof(values));
        for (int i = 0; i < weights.Count; i++)
        {
            if (!values[i].shape.SequenceEqual(weights[i].Shape))
                throw new ArgumentException(
                    $"Layer '{Name}': weight '{weights[i].Path}' has shape {Shapes.Format(weights[i].Shape)}, but the value given for it has shape {Shapes.Format(values[i].shape)}.",
                    nameof(values));
        }
        for (int i = 0; i < weights.Count; i++) weights[i].Assign(values[i]);
    }

    /// <summary>The layer's configuration: what its constructor needs to make it again (Keras's <c>get_config</c>).</summary>
    public virtual Dictionary<string, object?> GetConfig() => new() { ["name"] = Name, ["trainable"] = Trainable };

    /// <inheritdoc />
    public override string ToString() => $"<{GetType().Name} name={Name}, built={Built}>";
}
