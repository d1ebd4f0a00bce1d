using System.Runtime.CompilerServices;

namespace Tanuki;

/// <summary>Argument checks with Keras-style messages: what was expected, then what came.</summary>
internal static class Guard
{
    public static int Positive(int value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"Expected a positive integer. Received: {name}={value}");

    public static long Positive(long value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"Expected a positive integer. Received: {name}={value}");

    public static double InRange(double value, double min, double max, [CallerArgumentExpression(nameof(value))] string? name = null)
        => value >= min && value <= max && !double.IsNaN(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"Expected a value in [{min}, {max}]. Received: {name}={value}");

    public static double NonNegative(double value, [CallerArgumentExpression(nameof(value))] string? name = null)
        => value >= 0 && !double.IsNaN(value)
            ? value
            : throw new ArgumentOutOfRangeException(name, value, $"Expected a non-negative number. Received: {name}={value}");

    public static string OneOf(string value, IReadOnlyCollection<string> allowed, [CallerArgumentExpression(nameof(value))] string? name = null)
        => allowed.Contains(value)
            ? value
            : throw new ArgumentException($"Expected one of {string.Join(", ", allowed.Select(a => $"\"{a}\""))}. Received: {name}=\"{value}\"", name);
}
