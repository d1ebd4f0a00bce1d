using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>
/// Keeps the elements of the first complete pass — in memory, or in a file — and replays them afterwards without
/// running the upstream pipeline again. A pass stopped early caches nothing (as tf.data). A cache file that already
/// exists is read as it is, also by a later run of the program: delete it when the data changes.
/// </summary>
internal sealed class CacheDataset : Dataset
{
    private readonly Dataset _upstream;
    private readonly string? _path;
    private readonly object _lock = new();
    private List<(Tensor, Tensor)>? _memory;

    public CacheDataset(Dataset upstream, string? path)
    {
        _upstream = upstream;
        _path = string.IsNullOrEmpty(path) ? null : Path.GetFullPath(path);
        ClassNames = upstream.ClassNames;
    }

    public override long Cardinality => _upstream.Cardinality;

    public override bool IsBatched => _upstream.IsBatched;

    internal override bool IsOrderStable => true;   // every pass after the first replays the first

    internal override bool SupportsFeatureCache => true;   // later passes replay the first, random maps included

    public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator()
    {
        if (_path is null)
        {
            List<(Tensor, Tensor)>? cached;
            lock (_lock) cached = _memory;
            return cached is null ? FillMemory() : ReplayMemory(cached);
        }
        return File.Exists(_path) ? ReadFile(_path) : FillFile(_path);
    }

    private IEnumerator<(Tensor Inputs, Tensor Targets)> FillMemory()
    {
        var kept = new List<(Tensor, Tensor)>();
        bool complete = false;
        try
        {
            using var source = _upstream.GetEnumerator();
            while (source.MoveNext())
            {
                var e = source.Current;
                kept.Add(Copy(e));
                yield return e;
            }
            complete = true;
            lock (_lock)
            {
                if (_memory is null) _memory = kept;
                else complete = false;        // another pass filled it first
            }
        }
        finally
        {
            if (!complete) Element.DisposeAll(kept);
        }
    }

    private static IEnumerator<(Tensor Inputs, Tensor Targets)> ReplayMemory(List<(Tensor, Tensor)> cached)
    {
        foreach (var e in cached) yield return Copy(e);
    }

    private static (Tensor, Tensor) Copy((Tensor Inputs, Tensor Targets) e)
    {
        using var scope = NewDisposeScope();
        return scope.Detach(e.Inputs.detach().clone(), e.Targets.detach().clone());
    }

    private IEnumerator<(Tensor Inputs, Tensor Targets)> FillFile(string path)
    {
        string partial = path + $".{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        bool complete = false;
        try
        {
            using (var writer = new BinaryWriter(File.Create(partial)))
            {
                TensorFile.WriteHeader(writer);
                using var source = _upstream.GetEnumerator();
                while (source.MoveNext())
                {
                    var e = source.Current;
                    TensorFile.Write(writer, e.Inputs);
                    TensorFile.Write(writer, e.Targets);
                    yield return e;
                }
            }
            File.Move(partial, path, overwrite: true);
            complete = true;
        }
        finally
        {
            if (!complete && File.Exists(partial)) File.Delete(partial);
        }
    }

    private static IEnumerator<(Tensor Inputs, Tensor Targets)> ReadFile(string path)
    {
        using var reader = new BinaryReader(File.OpenRead(path));
        TensorFile.ReadHeader(reader, path);
        while (reader.BaseStream.Position < reader.BaseStream.Length)
        {
            Tensor x = TensorFile.Read(reader, path);
            Tensor y;
            try { y = TensorFile.Read(reader, path); }
            catch { x.Dispose(); throw; }
            yield return (x, y);
        }
    }
}
