using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// Per-sample storage for cached features, filled batch by batch in sample order: one float32 row per sample and
/// frontier tensor. Rows stay in memory while they fit the budget; past it everything moves to temporary files
/// (deleted when the store is disposed or the process ends) and rows are read back from there.
/// </summary>
internal sealed class FeatureStore : IDisposable
{
    private readonly long _budget;
    private long[][]? _shapes;
    private long[]? _rowElements;
    private List<Tensor>[]? _chunks;
    private Tensor[]? _memory;
    private FileStream[]? _files;

    public FeatureStore(long memoryBudgetBytes) => _budget = memoryBudgetBytes;

    /// <summary>Rows stored so far.</summary>
    public long Samples { get; private set; }

    /// <summary>Bytes stored so far.</summary>
    public long Bytes => _rowElements is null ? 0 : _rowElements.Sum() * 4 * Samples;

    /// <summary>Whether the rows are in memory (false once spilled to files).</summary>
    public bool InMemory => _files is null;

    /// <summary>Appends a batch (one tensor per frontier entry, batch dimension first).</summary>
    public void Append(Tensor[] batch)
    {
        if (_memory is not null) throw new InvalidOperationException("The feature store is sealed.");
        if (_shapes is null)
        {
            _shapes = batch.Select(t => t.shape[1..]).ToArray();
            _rowElements = _shapes.Select(s => Shapes.Product(s)).ToArray();
            _chunks = _shapes.Select(_ => new List<Tensor>()).ToArray();
        }
        long n = batch[0].shape[0];
        for (int i = 0; i < batch.Length; i++)
        {
            Tensor rows = batch[i].detach().to(torch.CPU).to_type(ScalarType.Float32).contiguous();
            if (_files is null) _chunks![i].Add(rows.clone().DetachFromDisposeScope());
            else WriteRows(i, rows);
        }
        Samples += n;
        if (_files is null && Bytes > _budget) Spill();
    }

    private void Spill()
    {
        _files = _shapes!.Select(_ => new FileStream(Path.Combine(Path.GetTempPath(), $"tanuki-features-{Guid.NewGuid():N}.bin"),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose)).ToArray();
        for (int i = 0; i < _chunks!.Length; i++)
        {
            foreach (Tensor chunk in _chunks[i])
            {
                WriteRows(i, chunk);
                chunk.Dispose();
            }
            _chunks[i].Clear();
        }
    }

    private void WriteRows(int i, Tensor rows)
    {
        float[] data = rows.data<float>().ToArray();
        _files![i].Seek(0, SeekOrigin.End);
        _files[i].Write(MemoryMarshal.AsBytes(data.AsSpan()));
    }

    /// <summary>Ends filling: in memory, the chunks become one tensor per frontier entry.</summary>
    public void Seal()
    {
        if (_memory is not null || _chunks is null) return;
        if (_files is null)
        {
            _memory = _chunks.Select(c => torch.cat(c, 0).DetachFromDisposeScope()).ToArray();
            foreach (var list in _chunks) foreach (Tensor t in list) t.Dispose();
        }
        else _memory = [];
        foreach (FileStream f in _files ?? []) f.Flush();
    }

    /// <summary>The rows at <paramref name="indices"/> (int64, CPU), one tensor per frontier entry, on <paramref name="device"/>.</summary>
    public Tensor[] Read(Tensor indices, Device device)
    {
        var result = new Tensor[_shapes!.Length];
        for (int i = 0; i < result.Length; i++)
        {
            if (_files is null)
            {
                result[i] = _memory![i].index_select(0, indices).to(device);
                continue;
            }
            long[] idx = indices.data<long>().ToArray();
            long row = _rowElements![i];
            var buffer = new float[idx.Length * row];
            Span<byte> bytes = MemoryMarshal.AsBytes(buffer.AsSpan());
            for (int k = 0; k < idx.Length; k++)
            {
                _files[i].Seek(idx[k] * row * 4, SeekOrigin.Begin);
                _files[i].ReadExactly(bytes.Slice((int)(k * row * 4), (int)(row * 4)));
            }
            result[i] = torch.tensor(buffer, [idx.Length, .. _shapes[i]]).to(device);
        }
        return result;
    }

    public void Dispose()
    {
        foreach (Tensor t in _memory ?? []) t.Dispose();
        foreach (var list in _chunks ?? []) foreach (Tensor t in list) t.Dispose();
        foreach (FileStream f in _files ?? []) f.Dispose();
        _memory = null;
        _chunks = null;
        _files = null;
    }
}
