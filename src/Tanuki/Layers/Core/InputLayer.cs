using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>Stands for an <see cref="Input"/> in a functional model's <c>Layers</c> (as Keras's InputLayer). It passes its input through.</summary>
public sealed class InputLayer : Layer
{
    /// <summary>Creates the layer for samples of <paramref name="shape"/> (batch dimension left out).</summary>
    public InputLayer(long[] shape, string? name = null) : base(name ?? Names.Unique("input_layer"))
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (long d in shape)
            if (d <= 0 && d != -1)
                throw new ArgumentException($"Input shape dimensions must be positive (or -1 for any size). Received: shape={Shapes.Format(shape)}", nameof(shape));
        SampleShape = (long[])shape.Clone();
        InputSpec = new InputSpec(rank: shape.Length + 1, axes: shape.Select((d, i) => (d, i)).Where(p => p.d > 0).ToDictionary(p => p.i + 1, p => p.d));
        Build(Shapes.WithBatch(SampleShape));
    }

    /// <summary>The shape of one sample.</summary>
    public long[] SampleShape { get; }

    internal Input? Tensor { get; set; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => inputs;

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["shape"] = SampleShape;
        return config;
    }
}
