using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// A plain stack of layers, each feeding the next. It is built as soon as its input shape is known, as in Keras: at
/// once when it starts with an <see cref="Input"/> (or with a model that has one input), otherwise on its first call
/// (or at the start of <c>Fit</c>). <see cref="Layer.Layers"/> leaves the Input out, as in Keras.
/// </summary>
public class Sequential : Model
{
    private Input? _input;
    private long[]? _inputShape;
    private long[]? _outputShape;

    /// <summary>A stack of layers, built on its first call (or at once if the first is a model with one input).</summary>
    public Sequential(params Layer[] layers) : this(null, layers, null) { }

    /// <summary>A stack of layers after an input, built at once.</summary>
    public Sequential(Input input, params Layer[] layers) : this(input, layers, null) { }

    /// <summary>A named stack of layers, with an optional input.</summary>
    public Sequential(Input? input, IEnumerable<Layer> layers, string? name) : base(name ?? Names.Unique("sequential"))
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (input is not null) Add(input);
        foreach (Layer l in layers) Add(l);
    }

    /// <inheritdoc />
    public override IReadOnlyList<SymbolicTensor> Inputs => _input is null ? [] : [_input];

    /// <summary>
    /// Sets the model's input, as Keras's <c>model.add(keras.Input(...))</c>: it must come before any layer, once.
    /// </summary>
    /// <exception cref="ArgumentException">The model has an input, or layers, already.</exception>
    public void Add(Input input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_input is not null)
            throw new ArgumentException(
                $"Sequential model '{Name}' has already been configured to use input shape {Shapes.Format(_input.Shape)}. You cannot add a different Input to it.", nameof(input));
        if (Layers.Count > 0)
            throw new ArgumentException($"Sequential model '{Name}': an Input must come first, before any layer. Received it after {Layers.Count} layers.", nameof(input));
        _input = input;
        _inputShape = _outputShape = input.Shape;
    }

    /// <summary>Appends a layer; with a known input shape it is built at once (and a bad shape fails here).</summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is Layers.InputLayer inputLayer)
        {
            if (inputLayer.Tensor is not Input input)
                throw new ArgumentException(
                    _input is not null
                        ? $"Sequential model '{Name}' has already been configured to use input shape {Shapes.Format(_input.Shape)}. You cannot add a different Input to it."
                        : $"Sequential model '{Name}': add an Input (new Input(shape)), not an InputLayer of its own.", nameof(layer));
            Add(input);
            return;
        }
        if (Layers.Contains(layer)) throw new ArgumentException($"Layer '{layer.Name}' is already in Sequential '{Name}'.", nameof(layer));
        if (Layers.Any(l => l.Name == layer.Name))
            throw new ArgumentException(
                $"All layers added to a Sequential model should have unique names. Name '{layer.Name}' is already the name of a layer in " +
                $"Sequential '{Name}'. Give the layer another name (name: ...).", nameof(layer));
        // Keras builds a Sequential whose first layer is a model with one input (a functional or Sequential base), once
        // that model is built itself.
        if (Layers.Count == 0 && _inputShape is null && layer is Model { Inputs: [SymbolicTensor first] })
        {
            _inputShape = first.Shape;
            if (layer.Built) _outputShape = first.Shape;
        }
        if (_outputShape is not null)
        {
            try
            {
                InFrame(null, () =>
                {
                    if (!layer.Built) layer.Build(_outputShape);
                    layer.CheckInputs([_outputShape]);
                    _outputShape = OutputShape(layer, _outputShape);
                });
            }
            catch (ArgumentException e)
            {
                string prev = Layers.Count == 0 ? "the input" : $"layer '{Layers[^1].Name}'";
                throw new ArgumentException($"Sequential '{Name}': layer '{layer.Name}' cannot take the output of {prev}: {e.Message}", nameof(layer), e);
            }
        }
        Track(layer);
        if (_inputShape is not null && _outputShape is not null && !Built) Build(_inputShape);
    }

    /// <summary>Removes the last layer and returns it, as Keras's <c>pop</c>; the model stays built if it was.</summary>
    /// <exception cref="InvalidOperationException">The model has no layers.</exception>
    public Layer Pop()
    {
        if (Layers.Count == 0) throw new InvalidOperationException($"Sequential model '{Name}' has no layers to pop.");
        Layer last = Layers[^1];
        Untrack(last);
        if (_inputShape is not null) _outputShape = ComputeOutputShape(_inputShape);
        return last;
    }

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        if (Layers.Count == 0)
            throw new ArgumentException($"Sequential model '{Name}' cannot be built because it has no layers. Call Add(layer).");
        long[] shape = inputShape;
        foreach (Layer l in Layers)
        {
            if (!l.Built) l.Build(shape);
            try { shape = OutputShape(l, shape); }
            catch (NotImplementedException) { return; }   // as Keras: a layer whose shape cannot be inferred is built on its first call
        }
        _inputShape ??= inputShape;
        _outputShape ??= shape;
    }

    /// <inheritdoc />
    public override IReadOnlyList<long[]> ComputeOutputShape(IReadOnlyList<long[]> inputShapes)
    {
        if (inputShapes.Count != 1) throw new ArgumentException($"Sequential '{Name}' takes 1 input, but it received {inputShapes.Count}.");
        return [ComputeOutputShape(inputShapes[0])];
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        long[] shape = inputShape;
        foreach (Layer l in Layers)
        {
            l.CheckInputs([shape]);
            shape = OutputShape(l, shape);
        }
        return shape;
    }

    // Through the list overload, which every layer implements (models and multi-output layers override only that one).
    private long[] OutputShape(Layer layer, long[] inputShape)
    {
        IReadOnlyList<long[]> shapes = layer.ComputeOutputShape([inputShape]);
        if (shapes.Count != 1)
            throw new ArgumentException($"Layer '{layer.Name}' has {shapes.Count} outputs; a layer in Sequential '{Name}' must have one.");
        return shapes[0];
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        if (_input is not null && !Shapes.Compatible(_input.Shape, inputs.shape))
            throw new ArgumentException(
                $"Input 0 of Sequential '{Name}' is incompatible: expected shape {Shapes.Format(_input.Shape)}, but received input with shape {Shapes.Format(inputs.shape)}.");
        if (Layers.Count == 0)
            throw new ArgumentException($"Sequential model '{Name}' cannot be called because it has no layers. Call Add(layer).");
        Tensor x = Graph.AsFloat([inputs])[0];   // integer, boolean or float64 data as the float32 an Input takes, as Keras converts it
        ExecutionOptions options = Execution.InContext();
        using var running = options.Enter();   // nested models follow this one's options where they set none
        IReadOnlyList<Layer> layers = Layers;
        for (int i = 0; i < layers.Count;)
        {
            int folded = TrainingFusion.TryRun(layers, i, ref x, training, options);   // conv → BN in inference mode (→ ReLU) as one
            if (folded > 0) { i += folded; continue; }
            x = layers[i++].Call(x, training);
        }
        return inputs.dtype == ScalarType.BFloat16 ? x : MixedPrecision.ToFloat32(x);   // mixed precision hands back float32
    }

    /// <inheritdoc />
    protected override Tensor[] Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        if (inputs.Count != 1) throw new ArgumentException($"Sequential '{Name}' takes 1 input, but it received {inputs.Count}.");
        return [Forward(inputs[0], training)];
    }
}
