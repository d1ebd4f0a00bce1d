using System.Text.Json;

namespace Tanuki.Tests.Reference;

/// <summary>Reads reference arrays written by the scripts under tools/ (JSON: name → shape + data).</summary>
internal sealed class ReferenceData
{
    private readonly Dictionary<string, (long[] Shape, double[] Data)> _values = new();

    private ReferenceData(string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        foreach (var p in doc.RootElement.GetProperty("values").EnumerateObject())
        {
            long[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
            double[] data = p.Value.GetProperty("data").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            _values[p.Name] = (shape, data);
        }
    }

    private static readonly Dictionary<string, ReferenceData> s_cache = new();

    public static ReferenceData Load(string name)
    {
        lock (s_cache)
        {
            if (!s_cache.TryGetValue(name, out var data))
                s_cache[name] = data = new ReferenceData(Path.Combine(AppContext.BaseDirectory, "Reference", name));
            return data;
        }
    }

    /// <summary>A float32 tensor (float64 when asked).</summary>
    public Tensor Tensor(string name, ScalarType dtype = ScalarType.Float32)
    {
        if (!_values.TryGetValue(name, out var v)) throw new KeyNotFoundException($"reference array '{name}' not found; rerun the script under tools/");
        return torch.tensor(v.Data, v.Shape, ScalarType.Float64).to_type(dtype);
    }

    public double Scalar(string name) => _values[name].Data[0];
}
