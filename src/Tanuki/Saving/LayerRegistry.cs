namespace Tanuki.Saving;

/// <summary>
/// The layer types <see cref="Model.Load"/> can rebuild, by the type name saved in <c>config.json</c>. Every public
/// Tanuki layer is known by its class name and rebuilt by reflection from its <see cref="Layer.GetConfig"/>: config
/// keys are the snake_case of the constructor's parameter names plus <c>name</c> and <c>trainable</c>. Custom layers
/// must be registered before saving and before loading (Keras's <c>register_keras_serializable</c>): by the same
/// convention with <see cref="Register{T}(string?)"/>, or with a factory of your own.
/// </summary>
public static class LayerRegistry
{
    private static readonly object s_lock = new();
    private static readonly Dictionary<string, (Type Type, Func<IReadOnlyDictionary<string, object?>, Layer>? Factory)> s_custom = new();
    private static readonly Lazy<Dictionary<string, Type>> s_builtIn = new(FindBuiltIn);
    private static readonly HashSet<string> s_reserved = ["Functional", "Sequential", "Model", "InputLayer"];

    /// <summary>Registers a custom layer type with a factory that makes it from its config.</summary>
    /// <typeparam name="T">The layer type; saving writes <paramref name="typeName"/> for layers of exactly this type.</typeparam>
    /// <param name="typeName">The name saved in configs (usually the class name).</param>
    /// <param name="factory">Makes the layer from its config: plain values (bool, long, double, string, null,
    /// <c>object?[]</c>) as parsed from JSON. It must pass <c>config["name"]</c> on as the layer's name.</param>
    /// <exception cref="ArgumentException">The name is a built-in layer's, or is registered for another type.</exception>
    public static void Register<T>(string typeName, Func<IReadOnlyDictionary<string, object?>, Layer> factory) where T : Layer
    {
        ArgumentNullException.ThrowIfNull(factory);
        Add(typeof(T), typeName, factory);
    }

    /// <summary>
    /// Registers a custom layer type that follows Tanuki's config convention, so that it is rebuilt by reflection
    /// like the built-in layers.
    /// </summary>
    /// <param name="typeName">The name saved in configs; the class name when null.</param>
    public static void Register<T>(string? typeName = null) where T : Layer => Add(typeof(T), typeName ?? typeof(T).Name, null);

    private static void Add(Type type, string typeName, Func<IReadOnlyDictionary<string, object?>, Layer>? factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        if (type.IsAbstract) throw new ArgumentException($"{type.Name} is abstract; register a concrete layer type.", nameof(typeName));
        if (s_reserved.Contains(typeName) || (s_builtIn.Value.TryGetValue(typeName, out Type? builtIn) && builtIn != type))
            throw new ArgumentException($"\"{typeName}\" is the name of a built-in Tanuki layer type; register {type.Name} under another name.", nameof(typeName));
        lock (s_lock)
        {
            if (s_custom.TryGetValue(typeName, out var existing) && existing.Type != type)
                throw new ArgumentException($"\"{typeName}\" is already registered for {existing.Type.FullName}; register {type.FullName} under another name.", nameof(typeName));
            foreach (var (name, entry) in s_custom.Where(kv => kv.Value.Type == type && kv.Key != typeName).ToList())
                s_custom.Remove(name);
            s_custom[typeName] = (type, factory);
        }
    }

    /// <summary>Whether <paramref name="typeName"/> is a built-in layer type or a registered one.</summary>
    public static bool IsRegistered(string typeName)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        lock (s_lock)
        {
            return s_custom.ContainsKey(typeName) || s_builtIn.Value.ContainsKey(typeName);
        }
    }

    /// <summary>The type name saved for a layer: its registered name, or a built-in layer's class name
    /// (<c>Functional</c> and <c>Sequential</c> for models).</summary>
    /// <exception cref="NotSupportedException">The layer's type is neither built in nor registered; the message says how to register it.</exception>
    public static string GetTypeName(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        Type type = layer.GetType();
        lock (s_lock)
        {
            foreach (var (name, entry) in s_custom)
                if (entry.Type == type) return name;
        }
        if (type == typeof(Sequential)) return "Sequential";
        if (type == typeof(Model) && layer is Model { FunctionalGraph: not null }) return "Functional";
        if (s_builtIn.Value.TryGetValue(type.Name, out Type? builtIn) && builtIn == type) return type.Name;
        throw new NotSupportedException(
            $"Layer '{layer.Name}' is of type {type.FullName}, which Model.Load could not rebuild. Register it before saving and loading: " +
            $"LayerRegistry.Register<{type.Name}>() if its GetConfig keys are the snake_case of its constructor's parameter names, " +
            $"or LayerRegistry.Register<{type.Name}>(\"{type.Name}\", config => new {type.Name}(...)). Or save the weights only, with SaveWeights.");
    }

    /// <summary>Makes a layer of a built-in or registered type from its config (as <see cref="Layer.GetConfig"/> returns
    /// it, or as parsed from JSON), and sets its <c>Trainable</c> from <c>config["trainable"]</c>.</summary>
    /// <exception cref="ArgumentException">The type is unknown, or the config does not fit its constructor.</exception>
    public static Layer FromConfig(string typeName, IReadOnlyDictionary<string, object?> config)
    {
        ArgumentNullException.ThrowIfNull(typeName);
        ArgumentNullException.ThrowIfNull(config);
        (Type Type, Func<IReadOnlyDictionary<string, object?>, Layer>? Factory) entry;
        bool custom;
        lock (s_lock)
        {
            custom = s_custom.TryGetValue(typeName, out entry);
        }
        if (!custom)
        {
            if (s_reserved.Contains(typeName))
                throw new ArgumentException($"\"{typeName}\" layers are rebuilt by Model.Load, not from a flat config.", nameof(typeName));
            if (!s_builtIn.Value.TryGetValue(typeName, out Type? type))
                throw new ArgumentException(
                    $"Unknown layer type \"{typeName}\". If it is a custom layer, register it before loading: LayerRegistry.Register<{typeName}>() " +
                    $"(when its GetConfig follows Tanuki's convention) or LayerRegistry.Register<{typeName}>(\"{typeName}\", config => new {typeName}(...)).",
                    nameof(typeName));
            return ConfigBinder.Create(type, config, typeName);
        }
        if (entry.Factory is null) return ConfigBinder.Create(entry.Type, config, typeName);
        Layer layer = entry.Factory(config) ?? throw new ArgumentException($"The factory registered for \"{typeName}\" returned null.");
        if (!entry.Type.IsInstanceOfType(layer))
            throw new ArgumentException($"The factory registered for \"{typeName}\" returned a {layer.GetType().Name}, not a {entry.Type.Name}.");
        if (config.TryGetValue("name", out object? name) && name is string n && layer.Name != n)
            throw new ArgumentException($"The factory registered for \"{typeName}\" made a layer named '{layer.Name}', but the config names it '{n}': pass config[\"name\"] to the constructor.");
        if (config.TryGetValue("trainable", out object? t) && t is bool trainable) layer.Trainable = trainable;
        return layer;
    }

    /// <summary>Why <see cref="FromConfig"/> could not rebuild a layer from this config, when that can be told without
    /// making one (layers rebuilt by reflection); null when it can, or when a factory does the work.</summary>
    internal static string? RebuildProblem(string typeName, IReadOnlyDictionary<string, object?> config)
    {
        lock (s_lock)
        {
            if (s_custom.TryGetValue(typeName, out var entry))
                return entry.Factory is null ? ConfigBinder.Problem(entry.Type, config, typeName) : null;
        }
        return s_builtIn.Value.TryGetValue(typeName, out Type? type) ? ConfigBinder.Problem(type, config, typeName) : null;
    }

    private static Dictionary<string, Type> FindBuiltIn()
    {
        var result = new Dictionary<string, Type>();
        var candidates = typeof(Layer).Assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract && typeof(Layer).IsAssignableFrom(t) && !typeof(Model).IsAssignableFrom(t))
            .OrderBy(t => t.Namespace == "Tanuki.Layers" ? 0 : 1);
        foreach (Type t in candidates) result.TryAdd(t.Name, t);
        return result;
    }
}
