using static TorchSharp.torch;

namespace Tanuki.Layers;

/// <summary>
/// Reshapes every sample to <see cref="TargetShape"/> (the batch dimension is kept): <c>new Reshape([6, -1])</c>
/// turns <c>(N, 3, 4, 6)</c> into <c>(N, 6, 12)</c>. At most one dimension may be -1; it is inferred.
/// </summary>
public sealed class Reshape : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="targetShape">The shape of one output sample, without the batch dimension; one entry may be -1.</param>
    /// <param name="name">Layer name.</param>
    public Reshape(long[] targetShape, string? name = null) : base(name)
    {
        ArgumentNullException.ThrowIfNull(targetShape);
        if (targetShape.Any(d => d <= 0 && d != -1) || targetShape.Count(d => d == -1) > 1)
            throw new ArgumentException(
                $"Invalid argument for {LayerArgs.Who(this)}: expected positive sizes with at most one -1 (to be inferred). Received: targetShape={Format(targetShape)}",
                nameof(targetShape));
        TargetShape = (long[])targetShape.Clone();
    }

    /// <summary>The shape of one output sample (may hold one -1).</summary>
    public long[] TargetShape { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        long[] output = Resolve(inputs.shape);
        output[0] = inputs.shape[0];
        return inputs.reshape(output);
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape) => Resolve(inputShape);

    // The output shape (batch first); the -1 is filled in when the input sample's size is known.
    private long[] Resolve(long[] inputShape)
    {
        if (inputShape.Length < 1)
            throw LayerArgs.Error(this, $"the inputs need a batch dimension. Received input shape {Shapes.Format(inputShape)}.");
        long[] output = [inputShape[0], .. TargetShape];
        long[] sample = inputShape[1..];
        if (sample.Any(d => d < 0)) return output;
        long total = Shapes.Product(sample);
        long known = Shapes.Product(TargetShape.Where(d => d != -1));
        int unknown = Array.IndexOf(TargetShape, -1L);
        bool fits = unknown < 0 ? known == total : total % known == 0;
        if (!fits)
            throw LayerArgs.Error(this,
                $"the total size of the new array must be unchanged: an input of shape {Shapes.Format(inputShape)} has {total} values per sample, " +
                $"which cannot be reshaped to target shape {Format(TargetShape)}.");
        if (unknown >= 0) output[unknown + 1] = total / known;
        return output;
    }

    // Target shapes are shown with their -1, not as "None": it is not a batch size.
    private static string Format(long[] shape) => shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["target_shape"] = (long[])TargetShape.Clone();
        return config;
    }
}
