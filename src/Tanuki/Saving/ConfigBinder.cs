using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Tanuki.Saving;

/// <summary>
/// Rebuilds a layer from its config by the convention every Tanuki layer follows: config keys are the snake_case of
/// the constructor's parameter names (plus <c>name</c> and <c>trainable</c>); values are plain JSON values, value
/// tuples stored as arrays, activations and initializers by name.
/// </summary>
internal static class ConfigBinder
{
    private static readonly HashSet<string> s_notParameters = ["trainable"];

    public static Layer Create(Type type, IReadOnlyDictionary<string, object?> config, string typeName)
    {
        var (c, args, problem) = Bind(type, config, typeName);
        if (c is null) throw new ArgumentException($"Cannot rebuild a {typeName} from its config: {problem}");
        Layer layer;
        try { layer = (Layer)c.Invoke(args); }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new ArgumentException($"{typeName}({Signature(c)}) rejected the config: {e.InnerException.Message}", e.InnerException);
        }
        if (config.TryGetValue("trainable", out object? t) && t is bool trainable) layer.Trainable = trainable;
        return layer;
    }

    /// <summary>Why no constructor of <paramref name="type"/> takes this config, or null when one does (nothing is constructed).</summary>
    public static string? Problem(Type type, IReadOnlyDictionary<string, object?> config, string typeName) => Bind(type, config, typeName).Problem;

    private static (ConstructorInfo? Constructor, object?[] Args, string? Problem) Bind(Type type, IReadOnlyDictionary<string, object?> config, string typeName)
    {
        if (!typeof(Layer).IsAssignableFrom(type) || type.IsAbstract)
            throw new ArgumentException($"{type.FullName} is not a concrete Layer type.");
        ConstructorInfo[] constructors = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .OrderByDescending(c => c.GetParameters().Length).ToArray();
        if (constructors.Length == 0)
            return (null, [], $"{typeName} has no public constructor; register a factory with LayerRegistry.Register<{type.Name}>(\"{typeName}\", config => ...).");
        string? problem = null;
        foreach (ConstructorInfo c in constructors)
        {
            if (TryBind(c, config, out object?[] args, out string? why)) return (c, args, null);
            problem ??= why;
        }
        return (null, [], problem);
    }

    private static bool TryBind(ConstructorInfo c, IReadOnlyDictionary<string, object?> config, out object?[] args, out string? problem)
    {
        ParameterInfo[] ps = c.GetParameters();
        args = new object?[ps.Length];
        var used = new HashSet<string>(s_notParameters);
        var missing = new List<string>();
        for (int i = 0; i < ps.Length; i++)
        {
            string key = Names.SnakeCase(ps[i].Name!);
            if (config.TryGetValue(key, out object? value))
            {
                try { args[i] = Convert(value, ps[i].ParameterType, key); }
                catch (ArgumentException e)
                {
                    problem = e.Message;
                    return false;
                }
                used.Add(key);
            }
            else if (ps[i].HasDefaultValue) args[i] = Type.Missing;
            else missing.Add($"\"{key}\"");
        }
        string[] extra = config.Keys.Where(k => !used.Contains(k)).Select(k => $"\"{k}\"").ToArray();
        var problems = new List<string>();
        if (missing.Count > 0) problems.Add($"the config has no {string.Join(", ", missing)}, which the constructor {c.DeclaringType!.Name}({Signature(c)}) needs");
        if (extra.Length > 0) problems.Add($"the config key(s) {string.Join(", ", extra)} match no parameter of the constructor {c.DeclaringType!.Name}({Signature(c)})");
        problem = problems.Count == 0 ? null : string.Join("; ", problems) + ". Config keys must be the snake_case of constructor parameter names.";
        return problem is null;
    }

    private static string Signature(ConstructorInfo c) => string.Join(", ", c.GetParameters().Select(p => p.Name));

    /// <summary>Converts a plain config value (as parsed from JSON, or as <c>GetConfig</c> returned it) to a parameter type.</summary>
    public static object? Convert(object? value, Type target, string key)
    {
        Type? underlying = Nullable.GetUnderlyingType(target);
        if (value is null)
        {
            if (!target.IsValueType || underlying is not null) return null;
            throw Mismatch(key, target, value);
        }
        target = underlying ?? target;
        if (target == typeof(object) || (target.IsInstanceOfType(value) && value is not Array)) return value;
        try
        {
            if (target == typeof(bool)) return value is bool b ? b : throw Mismatch(key, target, value);
            if (target == typeof(string)) return value is string s ? s : throw Mismatch(key, target, value);
            if (IsInteger(target))
            {
                if (value is double d ? d != Math.Floor(d) : !IsInteger(value.GetType())) throw Mismatch(key, target, value);
                return System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
            }
            if (target == typeof(double) || target == typeof(float) || target == typeof(decimal))
            {
                if (value is string s) value = s switch
                {
                    "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity,
                    _ => throw Mismatch(key, target, value),
                };
                if (!IsInteger(value.GetType()) && value is not (double or float or decimal)) throw Mismatch(key, target, value);
                return System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
            }
            if (target.IsEnum) return ToEnum(value, target, key);
            if (target == typeof(ActivationFunction)) return value is string a ? Activations.Get(a) : throw Mismatch(key, target, value);
            if (target == typeof(Initializer)) return value is string n ? InitializerByName(n) : throw Mismatch(key, target, value);
            if (value is IEnumerable items and not string && ElementType(target) is Type element)
            {
                object?[] list = items.Cast<object?>().Select((x, i) => Convert(x, element, $"{key}[{i}]")).ToArray();
                Array array = Array.CreateInstance(element, list.Length);
                for (int i = 0; i < list.Length; i++) array.SetValue(list[i], i);
                return array;
            }
            if (IsValueTuple(target) && value is IEnumerable parts and not string)
            {
                Type[] types = target.GetGenericArguments();
                object?[] list = parts.Cast<object?>().ToArray();
                if (list.Length != types.Length)
                    throw new ArgumentException($"\"{key}\": expected {types.Length} numbers, received {list.Length}: [{string.Join(", ", list)}].");
                return Activator.CreateInstance(target, list.Select((x, i) => Convert(x, types[i], $"{key}[{i}]")).ToArray());
            }
        }
        catch (Exception e) when (e is InvalidCastException or OverflowException or FormatException)
        {
            throw Mismatch(key, target, value);
        }
        throw Mismatch(key, target, value);
    }

    private static Initializer InitializerByName(string name)
    {
        try { return Initializers.Get(name); }
        catch (ArgumentException)
        {
            // Initializers with arguments (constant) are saved by name only; the saved weights replace what they make.
            return new PlaceholderInitializer(name);
        }
    }

    private static object ToEnum(object value, Type target, string key)
    {
        if (value is string s)
        {
            string plain = s.Replace("_", "", StringComparison.Ordinal);
            foreach (string name in Enum.GetNames(target))
                if (string.Equals(name, plain, StringComparison.OrdinalIgnoreCase)) return Enum.Parse(target, name);
            throw new ArgumentException($"\"{key}\": expected one of {string.Join(", ", Enum.GetNames(target))}, received \"{s}\".");
        }
        if (IsInteger(value.GetType())) return Enum.ToObject(target, value);
        throw Mismatch(key, target, value);
    }

    private static Type? ElementType(Type target)
    {
        if (target.IsArray) return target.GetElementType();
        if (!target.IsGenericType) return null;
        Type def = target.GetGenericTypeDefinition();
        return def == typeof(IReadOnlyList<>) || def == typeof(IEnumerable<>) || def == typeof(IList<>) || def == typeof(ICollection<>) || def == typeof(IReadOnlyCollection<>)
            ? target.GetGenericArguments()[0]
            : null;
    }

    private static bool IsValueTuple(Type t) =>
        t.IsGenericType && t.IsValueType && typeof(ITuple).IsAssignableFrom(t) && t.FullName!.StartsWith("System.ValueTuple`", StringComparison.Ordinal);

    private static bool IsInteger(Type t) =>
        t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(sbyte) ||
        t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort);

    private static ArgumentException Mismatch(string key, Type target, object? value) =>
        new($"\"{key}\": expected {Describe(target)}, received {(value is null ? "null" : value is string s ? $"\"{s}\"" : value is IEnumerable e ? $"[{string.Join(", ", e.Cast<object?>())}]" : value)}.");

    private static string Describe(Type t) =>
        Nullable.GetUnderlyingType(t) is Type u ? Describe(u) + " or null"
        : t == typeof(ActivationFunction) ? "an activation name"
        : t == typeof(Initializer) ? "an initializer name"
        : IsValueTuple(t) ? $"an array of {t.GetGenericArguments().Length} numbers"
        : t.Name;

    private sealed class PlaceholderInitializer(string name) : Initializer
    {
        public override string Name => name;
        public override TorchSharp.torch.Tensor Create(long[] shape, Fans fans) =>
            TorchSharp.torch.zeros(shape, dtype: TorchSharp.torch.ScalarType.Float32);
    }
}
