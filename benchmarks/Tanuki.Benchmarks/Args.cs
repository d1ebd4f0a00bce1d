using System.Globalization;

namespace Tanuki.Benchmarks;

/// <summary>
/// Command-line options: <c>--flag</c>, <c>--name value</c>, and lists given as <c>--name a,b</c> or <c>--name a b</c>.
/// Every option read is remembered so that a misspelt one is reported instead of silently ignored.
/// </summary>
internal sealed class Args
{
    private readonly Dictionary<string, List<string>> _values = new();
    private readonly HashSet<string> _read = new();

    public Args(string[] args)
    {
        string? current = null;
        foreach (string a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                current = a[2..];
                _values[current] = new List<string>();
            }
            else if (current is null) throw new ArgumentException($"unexpected argument '{a}': options start with --.");
            else _values[current].AddRange(a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _values.ContainsKey(name);
    }

    public string? String(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) && v.Count > 0 ? v[0] : null;
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public int Int(string name, int fallback) => String(name) is string s ? ParseInt(name, s) : fallback;

    public IReadOnlyList<string> List(string name, IReadOnlyList<string> fallback)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) && v.Count > 0 ? v : fallback;
    }

    public IReadOnlyList<int> Ints(string name, IReadOnlyList<int> fallback)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) && v.Count > 0 ? v.Select(s => ParseInt(name, s)).ToList() : fallback;
    }

    /// <summary>Throws when an option was given that no code asked for (a typo).</summary>
    public void CheckAllRead()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(k => "--" + k))}.");
    }

    private static int ParseInt(string name, string s) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"--{name} expects an integer. Received: {s}");
}
