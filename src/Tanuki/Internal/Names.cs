using System.Text.RegularExpressions;

namespace Tanuki;

/// <summary>Unique default names for layers and models, as Keras gives them: <c>dense</c>, <c>dense_1</c>, ...</summary>
internal static partial class Names
{
    private static readonly Dictionary<string, int> s_counts = new();
    private static readonly object s_lock = new();

    /// <summary>Keras's to_snake_case: <c>BatchNormalization</c> → <c>batch_normalization</c>, <c>Conv2D</c> → <c>conv2d</c>.</summary>
    public static string SnakeCase(string name)
    {
        string s = FirstPass().Replace(name, "$1_$2");
        return SecondPass().Replace(s, "$1_$2").ToLowerInvariant();
    }

    public static string Unique(string baseName)
    {
        lock (s_lock)
        {
            s_counts.TryGetValue(baseName, out int n);
            s_counts[baseName] = n + 1;
            return n == 0 ? baseName : $"{baseName}_{n}";
        }
    }

    /// <summary>Makes an explicit name known, so that later default names do not collide with it.</summary>
    public static void Reserve(string name)
    {
        lock (s_lock)
        {
            if (!s_counts.ContainsKey(name)) s_counts[name] = 1;
        }
    }

    [GeneratedRegex("(.)([A-Z][a-z]+)")]
    private static partial Regex FirstPass();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex SecondPass();
}
