using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// What the merge layers (<see cref="Add"/>, <see cref="Subtract"/>, <see cref="Multiply"/>, <see cref="Concatenate"/>)
/// share: they take two or more inputs — <c>new Add().Call(a, b)</c> — check that the shapes fit together (the
/// error names the layer and every shape), and give one output. Batch sizes must agree.
/// </summary>
public abstract class Merge : Layer
{
    private readonly int _minInputs;
    private readonly int _maxInputs;

    private protected Merge(int minInputs, int maxInputs, string? name) : base(name)
    {
        _minInputs = minInputs;
        _maxInputs = maxInputs;
    }

    /// <summary>Merges symbolic tensors into one: <c>new Add().Call(a, b)</c> (the list form returns an array).</summary>
    public SymbolicTensor Call(SymbolicTensor first, SymbolicTensor second, params SymbolicTensor[] more) =>
        Call([first, second, .. more], training: null)[0];

    /// <summary>Merges tensors into one: <c>new Add().Call(a, b)</c>.</summary>
    public Tensor Call(Tensor first, Tensor second, params Tensor[] more) =>
        Call([first, second, .. more], training: null)[0];

    /// <summary>Merge layers have no weights. Shapes are checked on every call instead (symbolic calls through
    /// <c>ComputeOutputShape</c>, eager ones in the forward pass), so that an error shows the shapes actually given.</summary>
    protected override void BuildCore(IReadOnlyList<long[]> inputShapes) { }

    /// <inheritdoc />
    public override IReadOnlyList<long[]> ComputeOutputShape(IReadOnlyList<long[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (inputShapes.Count < _minInputs || inputShapes.Count > _maxInputs)
        {
            string expected = _minInputs == _maxInputs ? $"exactly {_minInputs}" : $"at least {_minInputs}";
            throw LayerArgs.Error(this, $"expected {expected} inputs, but received {inputShapes.Count}: {Format(inputShapes)}.");
        }
        if (inputShapes.Any(s => s.Length == 0))
            throw LayerArgs.Error(this, $"every input needs a batch dimension. Received shapes {Format(inputShapes)}.");
        var batches = inputShapes.Select(s => s[0]).Where(b => b >= 0).Distinct().ToArray();
        if (batches.Length > 1)
            throw LayerArgs.Error(this, $"cannot merge tensors with different batch sizes. Received shapes {Format(inputShapes)}.");
        long[] output = MergeShapes(inputShapes);
        output[0] = batches.Length == 1 ? batches[0] : -1;
        return [output];
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape) => ComputeOutputShape([inputShape])[0];

    /// <inheritdoc />
    protected override Tensor[] Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        // Checked here too, so that a bad eager call fails with the layer's message rather than libtorch's.
        ComputeOutputShape(inputs.Select(t => t.shape).ToArray());
        return [Combine(inputs)];
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => Forward([inputs], training)[0];

    /// <summary>The output shape (any batch size in position 0) of inputs whose count and batch sizes are checked.</summary>
    private protected abstract long[] MergeShapes(IReadOnlyList<long[]> shapes);

    /// <summary>Combines inputs whose shapes are checked.</summary>
    private protected abstract Tensor Combine(IReadOnlyList<Tensor> inputs);

    /// <summary>
    /// Keras's broadcasting for element-wise merges: the samples' shapes are aligned on their last axes, and on each
    /// axis the sizes must be equal or 1; a shorter sample shape is extended at the front.
    /// </summary>
    private protected long[] BroadcastShapes(IReadOnlyList<long[]> shapes)
    {
        int rank = shapes.Max(s => s.Length);
        var output = new long[rank];
        for (int back = 1; back < rank; back++)
        {
            long size = 1;
            bool unknown = false;
            foreach (long[] s in shapes)
            {
                if (s.Length - back < 1) continue;
                long d = s[^back];
                if (d < 0) unknown = true;
                else if (d != 1)
                {
                    if (size != 1 && size != d)
                        throw LayerArgs.Error(this,
                            $"inputs have incompatible shapes: sizes {size} and {d} on axis {-back}. Received shapes {Format(shapes)}. " +
                            "Element-wise merges need, on each axis counted from the last, equal sizes or 1.");
                    size = d;
                }
            }
            output[^back] = size == 1 && unknown ? -1 : size;
        }
        return output;
    }

    /// <summary>Inputs of lower rank get size-1 axes after the batch axis (Keras's rule), so that they broadcast.</summary>
    private protected static Tensor[] AlignRanks(IReadOnlyList<Tensor> inputs)
    {
        long rank = inputs.Max(t => t.dim());
        return inputs.Select(t =>
        {
            Tensor x = t;
            while (x.dim() < rank) x = x.unsqueeze(1);
            return x;
        }).ToArray();
    }

    /// <summary>Shapes as a Keras-style list: <c>[(None, 3), (None, 4)]</c>.</summary>
    private protected static string Format(IReadOnlyList<long[]> shapes) => "[" + string.Join(", ", shapes.Select(Shapes.Format)) + "]";
}
