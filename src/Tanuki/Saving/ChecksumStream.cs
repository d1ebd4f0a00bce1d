namespace Tanuki.Saving;

/// <summary>
/// Reads through to another stream while computing the zip CRC-32 of what was read, so that a corrupt entry is
/// caught: .NET's zip reader does not check entries against their stored checksums.
/// </summary>
internal sealed class ChecksumStream(Stream inner) : ReadOnlyStream
{
    private static readonly uint[] s_table = MakeTable();
    private uint _crc = 0xFFFFFFFF;

    /// <summary>The CRC-32 (IEEE 802.3, as zip uses) of the bytes read so far.</summary>
    public uint Crc32 => ~_crc;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        uint crc = _crc;
        foreach (byte b in buffer[..n]) crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        _crc = crc;
        return n;
    }

    /// <summary>Reads what is left (so that the checksum covers the whole entry) and compares the checksums.</summary>
    public bool Matches(uint expected)
    {
        Span<byte> rest = stackalloc byte[4096];
        while (Read(rest) > 0) { }
        return Crc32 == expected;
    }

    private static uint[] MakeTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        return table;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
