using System.Reflection;
using System.Text.Json;

namespace Tanuki.Tests.Layers;

/// <summary>
/// A test-side stand-in for the saving registry: rebuilds a layer from its <c>GetConfig()</c> after a trip through JSON,
/// by the convention every layer follows — config keys are the snake_case of constructor parameter names (plus
/// <c>name</c> and <c>trainable</c>); (int, int) and (int, int, int, int) parameters are stored as int arrays;
/// activations and initializers as their names. Exactly one constructor must fit the config.
/// </summary>
internal static class ConfigConstructor
{
    public static string ToJson(Dictionary<string, object?> config) => JsonSerializer.Serialize(config);

    public static Dictionary<string, JsonElement> ThroughJson(Dictionary<string, object?> config) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(ToJson(config))!;

    /// <summary>Builds a layer of <paramref name="type"/> from a config; returns it and the constructor used.</summary>
    public static (Layer Layer, ConstructorInfo Constructor) FromConfig(Type type, IReadOnlyDictionary<string, JsonElement> config)
    {
        var keys = config.Keys.Where(k => k != "trainable").ToHashSet();
        var fits = new List<(ConstructorInfo Ctor, object?[] Args)>();
        foreach (ConstructorInfo ctor in type.GetConstructors())
        {
            ParameterInfo[] ps = ctor.GetParameters();
            var byKey = ps.ToDictionary(p => Names.SnakeCase(p.Name!));
            if (!keys.All(byKey.ContainsKey)) continue;
            var args = new object?[ps.Length];
            bool ok = true;
            for (int i = 0; i < ps.Length && ok; i++)
            {
                string key = Names.SnakeCase(ps[i].Name!);
                if (config.TryGetValue(key, out JsonElement value)) ok = TryConvert(value, ps[i].ParameterType, out args[i]);
                else if (ps[i].HasDefaultValue) args[i] = ps[i].DefaultValue;
                else ok = false;
            }
            if (ok) fits.Add((ctor, args));
        }
        if (fits.Count != 1)
            throw new InvalidOperationException(
                $"{fits.Count} constructors of {type.Name} fit the config {JsonSerializer.Serialize(config)}; exactly one must.");
        var layer = (Layer)fits[0].Ctor.Invoke(fits[0].Args);
        if (config.TryGetValue("trainable", out JsonElement trainable)) layer.Trainable = trainable.GetBoolean();
        return (layer, fits[0].Ctor);
    }

    private static bool TryConvert(JsonElement v, Type t, out object? result)
    {
        result = null;
        Type? underlying = Nullable.GetUnderlyingType(t);
        if (v.ValueKind == JsonValueKind.Null) return underlying is not null || !t.IsValueType;
        t = underlying ?? t;
        if (t == typeof(int) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i)) { result = i; return true; }
        if (t == typeof(long) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long l)) { result = l; return true; }
        if (t == typeof(double) && v.ValueKind == JsonValueKind.Number) { result = v.GetDouble(); return true; }
        if (t == typeof(bool) && v.ValueKind is JsonValueKind.True or JsonValueKind.False) { result = v.GetBoolean(); return true; }
        if (t == typeof(string) && v.ValueKind == JsonValueKind.String) { result = v.GetString(); return true; }
        if (t == typeof(ActivationFunction) && v.ValueKind == JsonValueKind.String) { result = Activations.Get(v.GetString()); return true; }
        if (t == typeof(Initializer) && v.ValueKind == JsonValueKind.String) { result = Initializers.Get(v.GetString()!); return true; }
        if (v.ValueKind != JsonValueKind.Array) return false;
        JsonElement[] items = v.EnumerateArray().ToArray();
        if (items.Any(x => x.ValueKind != JsonValueKind.Number)) return false;
        if (t == typeof(int[])) { result = items.Select(x => x.GetInt32()).ToArray(); return true; }
        if (t == typeof(long[])) { result = items.Select(x => x.GetInt64()).ToArray(); return true; }
        if (t == typeof(double[])) { result = items.Select(x => x.GetDouble()).ToArray(); return true; }
        if (t == typeof(ValueTuple<int, int>) && items.Length == 2) { result = (items[0].GetInt32(), items[1].GetInt32()); return true; }
        if (t == typeof(ValueTuple<int, int, int, int>) && items.Length == 4)
        {
            result = (items[0].GetInt32(), items[1].GetInt32(), items[2].GetInt32(), items[3].GetInt32());
            return true;
        }
        return false;
    }
}
