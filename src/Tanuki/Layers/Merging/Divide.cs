using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Divides its first input by its second, element-wise, with NumPy broadcasting (the counterpart of
/// <c>Subtract</c> for division; ONNX's <c>Div</c> of two tensors imports as this).
/// </summary>
public sealed class Divide : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">Layer name.</param>
    public Divide(string? name = null) : base(name) { }

    /// <inheritdoc />
    protected override void BuildCore(IReadOnlyList<long[]> inputShapes)
    {
        if (inputShapes.Count != 2)
            throw new ArgumentException($"A Divide layer should be called on exactly 2 inputs. Received: {inputShapes.Count} inputs.");
        Broadcasting.ShapeOrThrow(inputShapes[0], inputShapes[1], Name);
    }

    /// <inheritdoc />
    protected override Tensor[] Forward(IReadOnlyList<Tensor> inputs, bool training)
    {
        if (inputs.Count != 2)
            throw new ArgumentException($"A Divide layer should be called on exactly 2 inputs. Received: {inputs.Count} inputs.");
        return [inputs[0] / inputs[1]];
    }

    /// <inheritdoc />
    public override IReadOnlyList<long[]> ComputeOutputShape(IReadOnlyList<long[]> inputShapes)
    {
        if (inputShapes.Count != 2)
            throw new ArgumentException($"A Divide layer should be called on exactly 2 inputs. Received: {inputShapes.Count} inputs.");
        return [Broadcasting.ShapeOrThrow(inputShapes[0], inputShapes[1], Name)];
    }
}
