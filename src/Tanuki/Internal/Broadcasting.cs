namespace Tanuki;

/// <summary>NumPy (and ONNX, and libtorch) broadcasting of shapes where -1 means "any size".</summary>
internal static class Broadcasting
{
    /// <summary>The shape two broadcast operands give, or null when they cannot broadcast.</summary>
    public static long[]? Shape(IReadOnlyList<long> a, IReadOnlyList<long> b)
    {
        int rank = Math.Max(a.Count, b.Count);
        var result = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long x = i < rank - a.Count ? 1 : a[i - (rank - a.Count)];
            long y = i < rank - b.Count ? 1 : b[i - (rank - b.Count)];
            if (x == 1) result[i] = y;
            else if (y == 1) result[i] = x;
            else if (x < 0 || y < 0) result[i] = x < 0 && y < 0 ? -1 : Math.Max(x, y);   // an unknown size must match the known one
            else if (x == y) result[i] = x;
            else return null;
        }
        return result;
    }

    /// <summary>Like <see cref="Shape"/>, throwing an error that names the layer and both shapes.</summary>
    public static long[] ShapeOrThrow(IReadOnlyList<long> a, IReadOnlyList<long> b, string layerName) =>
        Shape(a, b) ?? throw new ArgumentException(
            $"Layer '{layerName}': shapes {Shapes.Format(a)} and {Shapes.Format(b)} cannot be broadcast together (each dimension must be equal, or 1 in one of them).");
}
