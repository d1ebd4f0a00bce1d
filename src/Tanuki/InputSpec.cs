namespace Tanuki;

/// <summary>What a layer accepts: a rank, a minimum rank, and sizes fixed on some axes (by its weights).</summary>
public sealed class InputSpec
{
    /// <summary>Creates a spec.</summary>
    /// <param name="rank">Exact rank including the batch dimension, if fixed.</param>
    /// <param name="minRank">Minimum rank including the batch dimension.</param>
    /// <param name="axes">Sizes required on axes (negative axes count from the end).</param>
    public InputSpec(int? rank = null, int? minRank = null, IReadOnlyDictionary<int, long>? axes = null)
    {
        Rank = rank;
        MinRank = minRank;
        Axes = axes ?? new Dictionary<int, long>();
    }

    /// <summary>Exact rank, if fixed.</summary>
    public int? Rank { get; }

    /// <summary>Minimum rank, if any.</summary>
    public int? MinRank { get; }

    /// <summary>Required sizes by axis.</summary>
    public IReadOnlyDictionary<int, long> Axes { get; }

    internal void Check(Layer layer, int index, long[] shape)
    {
        if (Rank is int r && shape.Length != r)
            throw new ArgumentException(
                $"Input {index} of layer \"{layer.Name}\" is incompatible with the layer: expected rank {r}, but received input with shape {Shapes.Format(shape)}.");
        if (MinRank is int m && shape.Length < m)
            throw new ArgumentException(
                $"Input {index} of layer \"{layer.Name}\" is incompatible with the layer: expected rank >= {m}, but received input with shape {Shapes.Format(shape)}.");
        foreach (var (axis, size) in Axes)
        {
            int a = axis < 0 ? shape.Length + axis : axis;
            if (a < 0 || a >= shape.Length) continue;
            if (shape[a] >= 0 && shape[a] != size)
                throw new ArgumentException(
                    $"Input {index} of layer \"{layer.Name}\" is incompatible with the layer: expected axis {axis} of input shape to have value {size}, but received input with shape {Shapes.Format(shape)}.");
        }
    }
}
