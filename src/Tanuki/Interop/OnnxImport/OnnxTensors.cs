using System.Runtime.InteropServices;
using Google.Protobuf;
using Tanuki.Interop.OnnxImport.Protos;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>Turns ONNX <c>TensorProto</c>s into TorchSharp tensors: floating types become float32, integer types int64.</summary>
internal static class OnnxTensors
{
    /// <summary>Data types by their ONNX number, for messages.</summary>
    public static string TypeName(int dataType) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType) ? ((TensorProto.Types.DataType)dataType).ToString() : $"type {dataType}";

    public static bool IsFloat(int dataType) => dataType is (int)TensorProto.Types.DataType.Float or (int)TensorProto.Types.DataType.Double
        or (int)TensorProto.Types.DataType.Float16 or (int)TensorProto.Types.DataType.Bfloat16;

    public static bool IsInteger(int dataType) => dataType is >= (int)TensorProto.Types.DataType.Uint8 and <= (int)TensorProto.Types.DataType.Int64
        or (int)TensorProto.Types.DataType.Uint32 or (int)TensorProto.Types.DataType.Uint64;

    /// <summary>Reads a tensor (CPU). Floats become float32, integers and booleans int64.</summary>
    /// <param name="proto">The tensor.</param>
    /// <param name="baseDirectory">Where external data files are looked up (the model's folder).</param>
    /// <param name="what">How to name the tensor in messages.</param>
    public static Tensor ToTensor(TensorProto proto, string? baseDirectory, string what)
    {
        long[] shape = proto.Dims.ToArray();
        long count = shape.Aggregate(1L, (p, d) => p * d);
        if (shape.Any(d => d < 0)) throw new InvalidDataException($"{what} has a negative dimension: [{string.Join(", ", shape)}].");
        var type = (TensorProto.Types.DataType)proto.DataType;
        ReadOnlySpan<byte> raw = proto.HasRawData ? proto.RawData.Span : default;
        if (proto.DataLocation == TensorProto.Types.DataLocation.External) raw = ReadExternal(proto, baseDirectory, what);
        bool useRaw = proto.HasRawData || proto.DataLocation == TensorProto.Types.DataLocation.External;

        Tensor result = type switch
        {
            TensorProto.Types.DataType.Float => Floats(useRaw ? Cast<float>(raw, count, what) : proto.FloatData.ToArray(), count, what),
            TensorProto.Types.DataType.Double => Floats((useRaw ? Cast<double>(raw, count, what) : proto.DoubleData.ToArray()).Select(v => (float)v).ToArray(), count, what),
            TensorProto.Types.DataType.Float16 => Floats(useRaw
                ? Cast<Half>(raw, count, what).Select(h => (float)h).ToArray()
                : proto.Int32Data.Select(bits => (float)BitConverter.UInt16BitsToHalf((ushort)bits)).ToArray(), count, what),
            TensorProto.Types.DataType.Bfloat16 => Floats((useRaw ? Cast<ushort>(raw, count, what) : proto.Int32Data.Select(b => (ushort)b).ToArray())
                .Select(b => BitConverter.Int32BitsToSingle(b << 16)).ToArray(), count, what),
            TensorProto.Types.DataType.Int64 => Longs(useRaw ? Cast<long>(raw, count, what) : proto.Int64Data.ToArray(), count, what),
            TensorProto.Types.DataType.Int32 => Longs((useRaw ? Cast<int>(raw, count, what) : proto.Int32Data.ToArray()).Select(v => (long)v).ToArray(), count, what),
            TensorProto.Types.DataType.Int16 => Longs((useRaw ? Cast<short>(raw, count, what).Select(v => (int)v).ToArray() : proto.Int32Data.ToArray()).Select(v => (long)v).ToArray(), count, what),
            TensorProto.Types.DataType.Int8 => Longs((useRaw ? Cast<sbyte>(raw, count, what).Select(v => (int)v).ToArray() : proto.Int32Data.ToArray()).Select(v => (long)v).ToArray(), count, what),
            TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Uint16 =>
                Longs((useRaw ? (type == TensorProto.Types.DataType.Uint16 ? Cast<ushort>(raw, count, what).Select(v => (int)v).ToArray() : raw.ToArray().Select(v => (int)v).ToArray())
                              : proto.Int32Data.ToArray()).Select(v => (long)v).ToArray(), count, what),
            TensorProto.Types.DataType.Uint32 => Longs((useRaw ? Cast<uint>(raw, count, what).Select(v => (long)v).ToArray() : proto.Uint64Data.Select(v => (long)v).ToArray()), count, what),
            _ => throw new NotSupportedException($"{what} has data type {TypeName(proto.DataType)}, which Tanuki cannot import (it reads float, double, float16, bfloat16 and integer tensors)."),
        };
        return result.reshape(shape);
    }

    private static Tensor Floats(float[] values, long count, string what)
    {
        CheckCount(values.LongLength, count, what);
        return torch.tensor(values, dtype: ScalarType.Float32);
    }

    private static Tensor Longs(long[] values, long count, string what)
    {
        CheckCount(values.LongLength, count, what);
        return torch.tensor(values, dtype: ScalarType.Int64);
    }

    private static void CheckCount(long actual, long expected, string what)
    {
        if (actual != expected)
            throw new InvalidDataException($"{what} should hold {expected} values for its shape, but the file has {actual}: the file is damaged or truncated.");
    }

    private static T[] Cast<T>(ReadOnlySpan<byte> raw, long count, string what) where T : struct
    {
        int size = Marshal.SizeOf<T>();
        if (raw.Length != count * size)
            throw new InvalidDataException($"{what} should hold {count} values ({count * size} bytes) for its shape, but its data has {raw.Length} bytes: the file is damaged or truncated.");
        // ONNX stores raw data little-endian, the byte order of every platform .NET and libtorch run on here.
        return MemoryMarshal.Cast<byte, T>(raw).ToArray();
    }

    private static byte[] ReadExternal(TensorProto proto, string? baseDirectory, string what)
    {
        var entries = proto.ExternalData.ToDictionary(e => e.Key, e => e.Value);
        if (!entries.TryGetValue("location", out string? location) || string.IsNullOrEmpty(location))
            throw new InvalidDataException($"{what} is stored outside the model file, but the file does not say where (no 'location').");
        string path = Path.Combine(baseDirectory ?? ".", location);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{what} is stored in the external data file '{location}', which was not found next to the model (looked for {Path.GetFullPath(path)}). Keep the model's data files beside it.", path);
        long offset = entries.TryGetValue("offset", out string? o) ? long.Parse(o, System.Globalization.CultureInfo.InvariantCulture) : 0;
        using var stream = File.OpenRead(path);
        long length = entries.TryGetValue("length", out string? l) ? long.Parse(l, System.Globalization.CultureInfo.InvariantCulture) : stream.Length - offset;
        if (offset < 0 || length < 0 || offset + length > stream.Length)
            throw new InvalidDataException($"{what}: the external data file '{location}' is {stream.Length} bytes, too short for offset {offset} and length {length}.");
        var buffer = new byte[length];
        stream.Seek(offset, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        return buffer;
    }

    /// <summary>Parses a serialized TensorProto (the <c>input_0.pb</c> files of ONNX's test cases).</summary>
    public static Tensor ReadTensorFile(string path)
    {
        TensorProto proto;
        try { proto = TensorProto.Parser.ParseFrom(File.ReadAllBytes(path)); }
        catch (InvalidProtocolBufferException e) { throw new InvalidDataException($"'{path}' is not a serialized ONNX tensor: {e.Message}", e); }
        return ToTensor(proto, Path.GetDirectoryName(path), $"Tensor '{proto.Name}' in '{path}'");
    }
}
