using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>The cache file format: a magic header, then per tensor its dtype, rank, shape and raw bytes (little-endian, CPU).</summary>
internal static class TensorFile
{
    private const string Magic = "TANUKI-CACHE-1";

    public static void WriteHeader(BinaryWriter writer) => writer.Write(Magic);

    public static void ReadHeader(BinaryReader reader, string path)
    {
        string magic;
        try { magic = reader.ReadString(); }
        catch (Exception e) when (e is EndOfStreamException or IOException) { magic = ""; }
        if (magic != Magic)
            throw new InvalidDataException($"'{path}' is not a Tanuki dataset cache file (or was written by another version). Delete it, and Cache will write it again.");
    }

    public static void Write(BinaryWriter writer, Tensor t)
    {
        using var scope = NewDisposeScope();
        Tensor c = t.detach().cpu().contiguous();
        writer.Write((int)c.dtype);
        writer.Write(c.dim());
        foreach (long d in c.shape) writer.Write(d);
        Span<byte> bytes = c.bytes;
        writer.Write((long)bytes.Length);
        writer.Write(bytes);
    }

    public static Tensor Read(BinaryReader reader, string path)
    {
        try
        {
            var dtype = (ScalarType)reader.ReadInt32();
            long rank = reader.ReadInt64();
            if (rank < 0 || rank > 16) throw new InvalidDataException("bad rank");
            var shape = new long[rank];
            for (int i = 0; i < rank; i++) shape[i] = reader.ReadInt64();
            long length = reader.ReadInt64();
            byte[] data = reader.ReadBytes(checked((int)length));
            if (data.Length != length) throw new EndOfStreamException();
            using var scope = NewDisposeScope();
            Tensor t = torch.empty(shape, dtype);
            t.bytes = data;
            return t.DetachFromDisposeScope();
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or OverflowException or ArgumentException)
        {
            throw new InvalidDataException($"The dataset cache file '{path}' is truncated or corrupt. Delete it, and Cache will write it again.", e);
        }
    }
}
