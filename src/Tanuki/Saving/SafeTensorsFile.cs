using static TorchSharp.torch;

namespace Tanuki.Saving;

/// <summary>
/// The contents of a safetensors file, read by <see cref="SafeTensors.Load"/>: its metadata, its entries in order of
/// offset, and its tensors on the CPU. Disposing it disposes the tensors.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private readonly Dictionary<string, Tensor> _tensors;

    internal SafeTensorsFile(string source, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<SafeTensorInfo> entries, Dictionary<string, Tensor> tensors)
    {
        Source = source;
        Metadata = metadata;
        Entries = entries;
        _tensors = tensors;
    }

    /// <summary>Where the data came from (the file's path).</summary>
    public string Source { get; }

    /// <summary>The <c>__metadata__</c> pairs (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Each tensor's dtype, shape and data offsets, in order of offset.</summary>
    public IReadOnlyList<SafeTensorInfo> Entries { get; }

    /// <summary>The tensors by name (CPU tensors owned by this object).</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>The tensor with this name.</summary>
    /// <exception cref="KeyNotFoundException">The file has no tensor of that name; the message lists the names there are.</exception>
    public Tensor this[string name] => _tensors.TryGetValue(name, out Tensor? t)
        ? t
        : throw new KeyNotFoundException($"'{Source}' has no tensor named \"{name}\". It has: {string.Join(", ", Entries.Select(e => e.Name))}.");

    /// <summary>Disposes the tensors.</summary>
    public void Dispose()
    {
        foreach (Tensor t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
