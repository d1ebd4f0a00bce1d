using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Keeps a range of one non-batch axis, as Python's <c>x[:, start:end:step]</c> does on axis 1:
/// <c>new Slice(1, 0, 16)</c> keeps the first 16 channels. Negative <c>start</c> and <c>end</c> count from the end of
/// the axis, and both are clamped to it (so <c>long.MaxValue</c> means "to the end"). ONNX's <c>Slice</c>,
/// <c>Split</c> and <c>Gather</c> of one index along a sample axis import as this layer.
/// </summary>
public sealed class Slice : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The axis sliced (negative counts from the end; not the batch axis).</param>
    /// <param name="start">The first index kept.</param>
    /// <param name="end">The index after the last one kept.</param>
    /// <param name="step">The stride: 1 keeps every index of the range, 2 every other one.</param>
    /// <param name="name">Layer name.</param>
    public Slice(int axis, long start, long end, long step = 1, string? name = null) : base(name)
    {
        if (axis == 0)
            throw new ArgumentException($"Invalid argument for {LayerArgs.Who(this)}: slicing the batch axis drops samples. Received: axis=0", nameof(axis));
        if (step < 1)
            throw new ArgumentOutOfRangeException(nameof(step), step, $"Invalid argument for {LayerArgs.Who(this)}: expected a positive step. Received: step={step}");
        Axis = axis;
        Start = start;
        End = end;
        Step = step;
    }

    /// <summary>The axis sliced, as given.</summary>
    public int Axis { get; }
    /// <summary>The first index kept (negative: from the end).</summary>
    public long Start { get; }
    /// <summary>The index after the last one kept (negative: from the end).</summary>
    public long End { get; }
    /// <summary>The stride.</summary>
    public long Step { get; }

    private int Resolve(int rank)
    {
        int a = Axis < 0 ? rank + Axis : Axis;
        if (a < 1 || a >= rank) throw LayerArgs.Error(this, $"axis {Axis} is not a non-batch axis of an input of rank {rank}.");
        return a;
    }

    // Python's slice.indices: the range within an axis of the given size, and how many indices it keeps.
    private (long Start, long End, long Count) Range(long size)
    {
        long Clamp(long i) => i < 0 ? Math.Max(0, i + size) : Math.Min(i, size);
        long start = Clamp(Start), end = Clamp(End);
        return (start, end, end > start ? (end - start + Step - 1) / Step : 0);
    }

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape) => ComputeOutputShape(inputShape);

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        int axis = Resolve((int)inputs.dim());
        var (start, end, count) = Range(inputs.shape[axis]);
        if (count == 0) throw EmptyError(inputs.shape);
        return inputs.slice(axis, start, end, Step);
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        int axis = Resolve(inputShape.Length);
        long[] output = (long[])inputShape.Clone();
        if (inputShape[axis] < 0) return output;
        long count = Range(inputShape[axis]).Count;
        if (count == 0) throw EmptyError(inputShape);
        output[axis] = count;
        return output;
    }

    private ArgumentException EmptyError(long[] shape) =>
        LayerArgs.Error(this, $"start {Start}, end {End} and step {Step} keep nothing of axis {Axis} of input shape {Shapes.Format(shape)}.");

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        config["start"] = Start;
        config["end"] = End;
        config["step"] = Step;
        return config;
    }
}
