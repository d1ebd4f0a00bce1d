using System.IO.Compression;
using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>Reads IDX files (the MNIST format: a big-endian header, then unsigned bytes), gzip-compressed or plain.</summary>
internal static class IdxFile
{
    /// <summary>The dimensions and the raw bytes of an unsigned-byte IDX stream; <paramref name="source"/> names it in errors.</summary>
    public static (int[] Dims, byte[] Data) Read(Stream stream, string source)
    {
        var buffered = new BufferedStream(stream);
        int b0 = buffered.ReadByte(), b1 = buffered.ReadByte();
        if (b0 < 0 || b1 < 0) throw new InvalidDataException($"'{source}' is empty; it should be an IDX file.");
        // Put the two bytes back: gzip starts 1F 8B, IDX starts 00 00.
        Stream all = new ConcatStream([(byte)b0, (byte)b1], buffered);
        if (b0 == 0x1F && b1 == 0x8B) all = new GZipStream(all, CompressionMode.Decompress);
        using var memory = new MemoryStream();
        all.CopyTo(memory);
        byte[] bytes = memory.ToArray();
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException($"'{source}' is not an IDX file (it should start with two zero bytes, or be gzip-compressed).");
        if (bytes[2] != 0x08)
            throw new InvalidDataException($"'{source}' holds IDX data of type 0x{bytes[2]:X2}; only unsigned bytes (0x08) are read.");
        int rank = bytes[3];
        if (bytes.Length < 4 + 4 * rank) throw new InvalidDataException($"'{source}' is truncated: its header is incomplete.");
        var dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = (bytes[4 + 4 * i] << 24) | (bytes[5 + 4 * i] << 16) | (bytes[6 + 4 * i] << 8) | bytes[7 + 4 * i];
            count *= dims[i];
        }
        int offset = 4 + 4 * rank;
        if (bytes.Length - offset != count)
            throw new InvalidDataException($"'{source}' is truncated or padded: its header announces {count} values ({string.Join("×", dims)}) but it holds {bytes.Length - offset}.");
        return (dims, bytes[offset..]);
    }

    /// <summary>A stream of some bytes followed by another stream.</summary>
    private sealed class ConcatStream(byte[] head, Stream tail) : ReadOnlyStream
    {
        private int _position;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position < head.Length)
            {
                int n = Math.Min(count, head.Length - _position);
                Array.Copy(head, _position, buffer, offset, n);
                _position += n;
                return n;
            }
            return tail.Read(buffer, offset, count);
        }
    }
}
