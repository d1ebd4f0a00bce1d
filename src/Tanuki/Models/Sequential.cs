using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// A plain stack of layers, each feeding the next. With an <see cref="Input"/> first it is built at once;
/// without, on its first call. <see cref="Layer.Layers"/> leaves the Input out, as in Keras.
/// </summary>
public class Sequential : Model
{
    private readonly Input? _input;
    private long[]? _outputShape;

    /// <summary>A stack of layers, built on its first call.</summary>
    public Sequential(params Layer[] layers) : this(null, layers, null) { }

    /// <summary>A stack of layers after an input, built at once.</summary>
    public Sequential(Input input, params Layer[] layers) : this(input, layers, null) { }

    /// <summary>A named stack of layers, with an optional input.</summary>
    public Sequential(Input? input, IEnumerable<Layer> layers, string? name) : base(name ?? Names.Unique("sequential"))
    {
        ArgumentNullException.ThrowIfNull(layers);
        _input = input;
        if (input is not null) _outputShape = input.Shape;
        foreach (Layer l in layers) Add(l);
        if (input is not null) Build(input.Shape);
    }

    /// <inheritdoc />
    public override IReadOnlyList<SymbolicTensor> Inputs => _input is null ? [] : [_input];

    /// <summary>Appends a layer; with a known input shape it is built at once (and a bad shape fails here).</summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (Layers.Contains(layer)) throw new ArgumentException($"Layer '{layer.Name}' is already in Sequential '{Name}'.", nameof(layer));
        if (Layers.Any(l => l.Name == layer.Name))
            throw new ArgumentException(
                $"All layers added to Sequential '{Name}' must have unique names: '{layer.Name}' is already the name of a layer in it. Give the layer another name.",
                nameof(layer));
        if (_outputShape is not null)
        {
            try
            {
                if (!layer.Built) layer.Build(_outputShape);
                layer.CheckInputs([_outputShape]);
                _outputShape = OutputShape(layer, _outputShape);
            }
            catch (ArgumentException e)
            {
                string prev = Layers.Count == 0 ? "the input" : $"layer '{Layers[^1].Name}'";
                throw new ArgumentException($"Sequential '{Name}': layer '{layer.Name}' cannot take the output of {prev}: {e.Message}", nameof(layer), e);
            }
        }
        Track(layer);
    }

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        long[] shape = inputShape;
        foreach (Layer l in Layers)
        {
            if (!l.Built) l.Build(shape);
            shape = OutputShape(l, shape);
        }
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
        Tensor x = inputs;
        foreach (Layer l in Layers) x = l.Call(x, training);
        return x;
    }

    /// <inheritdoc />
    protected override Tensor[] Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        if (inputs.Count != 1) throw new ArgumentException($"Sequential '{Name}' takes 1 input, but it received {inputs.Count}.");
        return [Forward(inputs[0], training)];
    }
}
