namespace Tanuki;

/// <summary>
/// Argument checks for layer constructors and shape checks for their inputs. Messages name the layer (type and
/// name), say what was expected, then what came, as Keras does: <c>"... expected a positive integer. Received:
/// filters=0"</c>.
/// </summary>
internal static class LayerArgs
{
    public static readonly string[] Paddings = ["valid", "same"];

    /// <summary>How a layer is named in messages: <c>Conv2D layer 'conv2d_1'</c>.</summary>
    public static string Who(Layer layer) => $"{layer.GetType().Name} layer '{layer.Name}'";

    public static int Positive(Layer layer, int value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value,
            $"Invalid argument for {Who(layer)}: expected a positive integer. Received: {name}={value}");

    public static (int, int) Positive(Layer layer, (int, int) value, string name) =>
        value.Item1 > 0 && value.Item2 > 0 ? value : throw new ArgumentOutOfRangeException(name, value,
            $"Invalid argument for {Who(layer)}: expected two positive integers. Received: {name}=({value.Item1}, {value.Item2})");

    public static (int, int, int, int) NonNegative(Layer layer, (int, int, int, int) value, string name) =>
        value.Item1 >= 0 && value.Item2 >= 0 && value.Item3 >= 0 && value.Item4 >= 0 ? value : throw new ArgumentOutOfRangeException(name, value,
            $"Invalid argument for {Who(layer)}: expected non-negative pads (top, bottom, left, right). Received: {name}=({value.Item1}, {value.Item2}, {value.Item3}, {value.Item4})");

    /// <summary>Checks a padding mode, case-insensitively as Keras does, and returns it in lower case.</summary>
    public static string Padding(Layer layer, string padding)
    {
        string p = padding?.ToLowerInvariant() ?? "";
        return Paddings.Contains(p) ? p : throw new ArgumentException(
            $"Invalid argument for {Who(layer)}: expected padding \"valid\" or \"same\". Received: padding=\"{padding}\"", nameof(padding));
    }

    /// <summary>Checks a string option against its allowed values (case-insensitively) and returns it in lower case.</summary>
    public static string OneOf(Layer layer, string value, IReadOnlyCollection<string> allowed, string name)
    {
        string v = value?.ToLowerInvariant() ?? "";
        return allowed.Contains(v) ? v : throw new ArgumentException(
            $"Invalid argument for {Who(layer)}: expected {name} to be one of {string.Join(", ", allowed.Select(a => $"\"{a}\""))}. Received: {name}=\"{value}\"", name);
    }

    /// <summary>Throws unless the shape has the given rank; <paramref name="layout"/> says what the axes mean.</summary>
    public static void RequireRank(Layer layer, IReadOnlyList<long> shape, int rank, string layout)
    {
        if (shape.Count != rank)
            throw new ArgumentException(
                $"{Who(layer)} expects inputs of rank {rank} {layout}. Received input shape {Shapes.Format(shape)}.");
    }

    /// <summary>An <see cref="ArgumentException"/> whose message starts with the layer.</summary>
    public static ArgumentException Error(Layer layer, string message) => new($"{Who(layer)}: {message}");
}
