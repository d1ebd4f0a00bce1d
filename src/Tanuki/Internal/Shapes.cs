namespace Tanuki;

/// <summary>Shape helpers: Keras-style formatting (<c>(None, 3)</c>) and comparisons. -1 means "any size".</summary>
internal static class Shapes
{
    /// <summary>Formats a shape as Keras does: <c>(None, 32, 32, 3)</c>.</summary>
    public static string Format(IReadOnlyList<long> shape)
    {
        if (shape.Count == 1) return $"({Dim(shape[0])},)";
        return "(" + string.Join(", ", shape.Select(Dim)) + ")";
    }

    private static string Dim(long d) => d < 0 ? "None" : d.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A shape with the batch dimension (-1) prepended.</summary>
    public static long[] WithBatch(IReadOnlyList<long> shape) => [-1, .. shape];

    /// <summary>Whether two shapes agree where both are known.</summary>
    public static bool Compatible(IReadOnlyList<long> a, IReadOnlyList<long> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
            if (a[i] >= 0 && b[i] >= 0 && a[i] != b[i]) return false;
        return true;
    }

    /// <summary>The product of the known dimensions after the batch.</summary>
    public static long Product(IEnumerable<long> dims) => dims.Aggregate(1L, (p, d) => p * d);
}
