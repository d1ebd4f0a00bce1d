using Tanuki.Layers;

namespace Tanuki;

/// <summary>
/// The entry point of a model: <c>new Input(3, 96, 96)</c> stands for batches of 3×96×96 images, as
/// <c>keras.Input(shape=...)</c> does. The shape leaves out the batch dimension.
/// </summary>
public sealed class Input : SymbolicTensor
{
    /// <summary>Creates an input for samples of the given shape (without the batch dimension).</summary>
    public Input(params long[] shape) : this(shape, null) { }

    /// <summary>Creates a named input.</summary>
    public Input(long[] shape, string? name) : this(new InputLayer(shape, name)) { }

    private Input(InputLayer layer) : base(Shapes.WithBatch(layer.SampleShape), null, 0, layer.Name)
    {
        Layer = layer;
        layer.Tensor = this;
    }

    /// <summary>The layer that stands for this input in a model's layer list.</summary>
    public InputLayer Layer { get; }

    /// <summary>The shape of one sample (without the batch dimension).</summary>
    public long[] SampleShape => Layer.SampleShape;
}
