using System.Collections;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tanuki.Saving;

/// <summary>
/// Converts layer configs (<see cref="Layer.GetConfig"/>) to JSON and back to plain values: bool, long, double,
/// string, null, <c>object?[]</c> and <c>Dictionary&lt;string, object?&gt;</c>. Doubles keep every bit (shortest
/// round-trip form); NaN and infinities become the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>.
/// </summary>
internal static class ConfigJson
{
    public static JsonObject ToJson(IReadOnlyDictionary<string, object?> config, string context)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in config) obj[key] = ToJson(value, $"{context}, key \"{key}\"");
        return obj;
    }

    public static JsonNode? ToJson(object? value, string context) => value switch
    {
        null => null,
        bool b => JsonValue.Create(b),
        string s => JsonValue.Create(s),
        int or long or short or byte or sbyte or ushort or uint => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong u => JsonValue.Create(u),
        float f => Number(f),
        double d => Number(d),
        decimal m => JsonValue.Create(m),
        Enum e => JsonValue.Create(e.ToString()),
        ActivationFunction a => JsonValue.Create(a.Name),
        Initializer i => JsonValue.Create(i.Name),
        ITuple t => new JsonArray(Enumerable.Range(0, t.Length).Select(k => ToJson(t[k], context)).ToArray()),
        IReadOnlyDictionary<string, object?> d => ToJson(d, context),
        IDictionary d => ToJson(d.Keys.Cast<object>().ToDictionary(k => k.ToString()!, k => d[k]), context),
        IEnumerable e => new JsonArray(e.Cast<object?>().Select(x => ToJson(x, context)).ToArray()),
        _ => throw new NotSupportedException(
            $"{context}: a value of type {value.GetType().Name} cannot be saved. Configs hold bool, numbers, strings, null and arrays of them; " +
            "store activations and initializers by name, and state that is not a constructor argument as a non-trainable weight."),
    };

    private static JsonNode Number(double d) =>
        double.IsNaN(d) ? JsonValue.Create("NaN")
        : double.IsPositiveInfinity(d) ? JsonValue.Create("Infinity")
        : double.IsNegativeInfinity(d) ? JsonValue.Create("-Infinity")
        : JsonValue.Create(d);

    /// <summary>A parsed JSON value as a plain value.</summary>
    public static object? FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject o:
                return o.ToDictionary(kv => kv.Key, kv => FromJson(kv.Value));
            case JsonArray a:
                return a.Select(FromJson).ToArray();
        }
        JsonValue v = node.AsValue();
        switch (v.GetValueKind())
        {
            case JsonValueKind.True: return true;
            case JsonValueKind.False: return false;
            case JsonValueKind.String: return v.GetValue<string>();
            case JsonValueKind.Number:
                if (v.TryGetValue(out long l)) return l;
                if (v.TryGetValue(out JsonElement el))
                    return el.TryGetInt64(out long l2) ? l2 : el.GetDouble();
                return v.GetValue<double>();
            default: return null;
        }
    }

    /// <summary>A JSON object as a plain config dictionary.</summary>
    public static Dictionary<string, object?> FromJson(JsonObject obj) => obj.ToDictionary(kv => kv.Key, kv => FromJson(kv.Value));
}
