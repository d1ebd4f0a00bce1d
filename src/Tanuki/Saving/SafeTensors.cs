using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Tanuki.Saving;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face's): an 8-byte little-endian header length N, N bytes of
/// JSON header (<c>{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ..., "__metadata__": {...}}</c>,
/// padded with spaces), then the tensors' raw little-endian bytes, contiguous and in order of offset. Any safetensors
/// reader reads what this writes; this reader checks everything a corrupt or truncated file could get wrong.
/// </summary>
public static class SafeTensors
{
    /// <summary>The largest header accepted (Hugging Face's reader has the same limit).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private static readonly (string Name, ScalarType Type)[] s_dtypes =
    [
        ("F64", ScalarType.Float64), ("F32", ScalarType.Float32), ("F16", ScalarType.Float16), ("BF16", ScalarType.BFloat16),
        ("I64", ScalarType.Int64), ("I32", ScalarType.Int32), ("I16", ScalarType.Int16), ("I8", ScalarType.Int8),
        ("U8", ScalarType.Byte), ("BOOL", ScalarType.Bool),
    ];

    /// <summary>The safetensors name of a TorchSharp dtype (<c>F32</c> for float32, ...).</summary>
    /// <exception cref="NotSupportedException">The dtype has no safetensors name (complex types).</exception>
    public static string DTypeName(ScalarType type)
    {
        foreach (var (name, t) in s_dtypes)
            if (t == type) return name;
        throw new NotSupportedException($"Tensors of dtype {type} cannot be stored in safetensors. Supported: {string.Join(", ", s_dtypes.Select(d => d.Type))}.");
    }

    /// <summary>The TorchSharp dtype of a safetensors dtype name, or null when unknown.</summary>
    public static ScalarType? DType(string name)
    {
        foreach (var (n, t) in s_dtypes)
            if (n == name) return t;
        return null;
    }

    /// <summary>The bytes one element of a safetensors dtype takes.</summary>
    private static int ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>
    /// Writes tensors to a safetensors file, in the given order. The file is written to a temporary file in the
    /// same folder and then renamed: it is never left half-written, and an existing file stays as it was if
    /// writing fails.
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="tensors">Names and tensors (any device; they are copied to the CPU as needed).</param>
    /// <param name="metadata">Optional string pairs stored under <c>__metadata__</c>.</param>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var list = Validate(tensors);
        AtomicFile.Write(path, stream => Write(stream, list, metadata));
    }

    /// <summary>Writes tensors in the safetensors format to a stream, in the given order.</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="tensors">Names and tensors (any device; they are copied to the CPU as needed).</param>
    /// <param name="metadata">Optional string pairs stored under <c>__metadata__</c>.</param>
    public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var list = Validate(tensors);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Writing safetensors needs a little-endian machine.");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var data = list.Select(kv => kv.Value.detach().cpu().contiguous()).ToArray();

        var header = new MemoryStream();
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            if (metadata is not null && metadata.Count > 0)
            {
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
            }
            long offset = 0;
            for (int i = 0; i < list.Count; i++)
            {
                long bytes = data[i].NumberOfElements * ElementSize(data[i].dtype);
                json.WriteStartObject(list[i].Key);
                json.WriteString("dtype", DTypeName(data[i].dtype));
                json.WriteStartArray("shape");
                foreach (long d in data[i].shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }
            json.WriteEndObject();
        }
        // Pad the header with spaces so that the data starts 8-byte aligned, as the reference writer does.
        while (header.Length % 8 != 0) header.WriteByte((byte)' ');
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        header.Position = 0;
        header.CopyTo(stream);
        foreach (Tensor t in data)
            if (t.NumberOfElements > 0) stream.Write(t.bytes);
    }

    private static List<KeyValuePair<string, Tensor>> Validate(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var names = new HashSet<string>();
        foreach (var (name, tensor) in list)
        {
            if (string.IsNullOrEmpty(name) || name == "__metadata__")
                throw new ArgumentException($"A safetensors tensor name must be non-empty and not \"__metadata__\". Received: name=\"{name}\"", nameof(tensors));
            if (!names.Add(name)) throw new ArgumentException($"Two tensors are named \"{name}\"; names in a safetensors file must be unique.", nameof(tensors));
            ArgumentNullException.ThrowIfNull(tensor, $"tensors[\"{name}\"]");
            DTypeName(tensor.dtype);
        }
        return list;
    }

    /// <summary>Reads a safetensors file: its metadata, entries and tensors (on the CPU).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="ModelFileException">The file is not valid safetensors (truncated, corrupt header, ...).</exception>
    public static SafeTensorsFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No safetensors file at '{path}'.", path);
        using var stream = File.OpenRead(path);
        return Read(stream, stream.Length, path);
    }

    /// <summary>Reads safetensors data from a stream of known length (read front to back; it need not be seekable).</summary>
    /// <param name="stream">The data, positioned at the header length.</param>
    /// <param name="length">How many bytes the safetensors data has.</param>
    /// <param name="source">The file's name, for error messages.</param>
    /// <exception cref="ModelFileException">The data is not valid safetensors.</exception>
    public static SafeTensorsFile Read(Stream stream, long length, string source)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Reading safetensors needs a little-endian machine.");
        if (length < 8)
            throw new ModelFileException(source, $"the file is {length} bytes long, too short for safetensors (an 8-byte header length, then the header): it is truncated or not a safetensors file.");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, source);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength)
            throw new ModelFileException(source, $"the first 8 bytes give a header length of {headerLength} bytes, more than the limit of {MaxHeaderLength}: this is not a safetensors file.");
        if ((long)headerLength > length - 8)
            throw new ModelFileException(source, $"the header is {headerLength} bytes long, but only {length - 8} bytes follow: the file is truncated, or it is not a safetensors file.");
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source);
        var (metadata, entries) = ParseHeader(headerBytes, source);

        long dataLength = length - 8 - (long)headerLength;
        long expected = entries.Count == 0 ? 0 : entries[^1].End;
        if (expected > dataLength)
            throw new ModelFileException(source, $"the tensors need {expected} bytes of data, but only {dataLength} follow the header: the file is truncated.");
        if (expected < dataLength)
            throw new ModelFileException(source, $"{dataLength} bytes follow the header, but the tensors use only {expected}: the file is corrupt (safetensors data must be exactly the tensors' bytes).");

        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (SafeTensorInfo e in entries)
            {
                Tensor t = torch.empty(e.Shape, DType(e.DType)!.Value).DetachFromDisposeScope();
                tensors[e.Name] = t;
                if (e.End > e.Begin) ReadExactly(stream, t.bytes, source);
            }
        }
        catch
        {
            foreach (Tensor t in tensors.Values) t.Dispose();
            throw;
        }
        return new SafeTensorsFile(source, metadata, entries, tensors);
    }

    private static (Dictionary<string, string> Metadata, List<SafeTensorInfo> Entries) ParseHeader(byte[] header, string source)
    {
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw new ModelFileException(source, "the safetensors header is not valid UTF-8 text: the file is corrupt, or it is not a safetensors file.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new ModelFileException(source, $"the safetensors header is not valid JSON ({e.Message}): the file is corrupt, or it is not a safetensors file.", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelFileException(source, "the safetensors header is not a JSON object: the file is corrupt.");
            var metadata = new Dictionary<string, string>();
            var entries = new List<SafeTensorInfo>();
            var names = new HashSet<string>();
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(p.Name)) throw new ModelFileException(source, $"the safetensors header names \"{p.Name}\" twice: the file is corrupt.");
                if (p.Name == "__metadata__")
                {
                    if (p.Value.ValueKind != JsonValueKind.Object) throw new ModelFileException(source, "the safetensors \"__metadata__\" is not a JSON object: the file is corrupt.");
                    foreach (JsonProperty m in p.Value.EnumerateObject())
                    {
                        if (m.Value.ValueKind != JsonValueKind.String)
                            throw new ModelFileException(source, $"the safetensors metadata value \"{m.Name}\" is not a string: the file is corrupt.");
                        metadata[m.Name] = m.Value.GetString()!;
                    }
                    continue;
                }
                entries.Add(ParseEntry(p, source));
            }
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            long next = 0;
            foreach (SafeTensorInfo e in entries)
            {
                if (e.Begin != next)
                    throw new ModelFileException(source, $"tensor \"{e.Name}\" starts at byte {e.Begin} of the data, but the previous tensor ends at {next}: safetensors data must be contiguous, so the file is corrupt.");
                next = e.End;
            }
            return (metadata, entries);
        }
    }

    private static SafeTensorInfo ParseEntry(JsonProperty p, string source)
    {
        string Bad(string what) => $"the safetensors entry \"{p.Name}\" {what}: the file is corrupt.";
        JsonElement v = p.Value;
        if (v.ValueKind != JsonValueKind.Object) throw new ModelFileException(source, Bad("is not a JSON object"));
        if (!v.TryGetProperty("dtype", out JsonElement dtypeEl) || dtypeEl.ValueKind != JsonValueKind.String)
            throw new ModelFileException(source, Bad("has no \"dtype\" string"));
        string dtype = dtypeEl.GetString()!;
        ScalarType type = DType(dtype) ?? throw new ModelFileException(source,
            $"tensor \"{p.Name}\" has dtype \"{dtype}\", which Tanuki does not read (supported: {string.Join(", ", s_dtypes.Select(d => d.Name))}).");
        long[] shape = Integers(v, "shape") ?? throw new ModelFileException(source, Bad("has no \"shape\" array of non-negative integers"));
        long[] offsets = Integers(v, "data_offsets") ?? throw new ModelFileException(source, Bad("has no \"data_offsets\" array of non-negative integers"));
        if (offsets.Length != 2 || offsets[1] < offsets[0])
            throw new ModelFileException(source, Bad($"has data_offsets [{string.Join(", ", offsets)}], not [begin, end] with begin <= end"));
        long bytes;
        try { bytes = checked(shape.Aggregate(1L, (a, d) => a * d) * ElementSize(type)); }
        catch (OverflowException) { throw new ModelFileException(source, Bad($"has a shape too large to hold: {Shapes.Format(shape)}")); }
        if (offsets[1] - offsets[0] != bytes)
            throw new ModelFileException(source, $"tensor \"{p.Name}\" ({dtype}, shape {Shapes.Format(shape)}) needs {bytes} bytes, but its data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}: the file is corrupt.");
        if (bytes > int.MaxValue) throw new ModelFileException(source, $"tensor \"{p.Name}\" is {bytes} bytes; Tanuki reads tensors of at most 2 GB.");
        return new SafeTensorInfo(p.Name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[]? Integers(JsonElement v, string key)
    {
        if (!v.TryGetProperty(key, out JsonElement a) || a.ValueKind != JsonValueKind.Array) return null;
        var result = new List<long>();
        foreach (JsonElement d in a.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long x) || x < 0) return null;
            result.Add(x);
        }
        return result.ToArray();
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source)
    {
        try { stream.ReadExactly(buffer); }
        catch (EndOfStreamException e)
        {
            throw new ModelFileException(source, "the data ends before the safetensors header says it should: the file is truncated.", e);
        }
    }
}
