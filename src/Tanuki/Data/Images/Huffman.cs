namespace Tanuki.Data;

/// <summary>A JPEG Huffman decoding table (ITU T.81 F.2.2.3, as libjpeg derives it), with an 8-bit lookahead.</summary>
internal sealed class Huffman
{
    private const int Lookahead = 8;
    private readonly int[] _maxCode = new int[18];
    private readonly int[] _valueOffset = new int[17];
    private readonly byte[] _values;
    private readonly ushort[] _lookup = new ushort[1 << Lookahead];   // (length << 8) | value; 0: longer than 8 bits

    private Huffman(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values, out bool valid)
    {
        _values = values.ToArray();
        valid = true;
        int code = 0, p = 0;
        for (int length = 1; length <= 16; length++)
        {
            int n = counts[length - 1];
            if (n == 0) { _maxCode[length] = -1; code <<= 1; continue; }
            _valueOffset[length] = p - code;
            for (int i = 0; i < n; i++, p++, code++)
            {
                if (code >= 1 << length) { valid = false; return; }   // more codes than this length has room for (libjpeg: bad table)
                if (length <= Lookahead)
                {
                    int shift = Lookahead - length;
                    for (int fill = 0; fill < 1 << shift; fill++) _lookup[(code << shift) | fill] = (ushort)((length << 8) | _values[p]);
                }
            }
            if (code >= 1 << length) { valid = false; return; }
            _maxCode[length] = code - 1;
            code <<= 1;
        }
        _maxCode[17] = int.MaxValue;
    }

    /// <summary>Reads the tables of a DHT segment into the DC and AC slots; false if it is malformed.</summary>
    public static bool ReadTables(ReadOnlySpan<byte> s, Huffman?[] dc, Huffman?[] ac)
    {
        int p = 0;
        while (p < s.Length)
        {
            if (p + 17 > s.Length) return false;
            int kind = s[p] >> 4, slot = s[p] & 15;
            if (kind > 1 || slot > 3) return false;
            ReadOnlySpan<byte> counts = s.Slice(p + 1, 16);
            int total = 0;
            foreach (byte c in counts) total += c;
            if (total > 256 || p + 17 + total > s.Length) return false;
            var table = new Huffman(counts, s.Slice(p + 17, total), out bool valid);
            if (!valid) return false;
            (kind == 0 ? dc : ac)[slot] = table;
            p += 17 + total;
        }
        return true;
    }

    /// <summary>Decodes one symbol; -1 for a code the table does not have (libjpeg's "bad Huffman code").</summary>
    public int Decode(ref JpegBits bits)
    {
        if (bits.TryPeek(Lookahead, out int peek) && _lookup[peek] is var entry and not 0)
        {
            bits.Skip(entry >> 8);
            return entry & 0xFF;
        }
        int code = bits.Get(1);
        int length = 1;
        while (code > _maxCode[length])
        {
            code = (code << 1) | bits.Get(1);
            length++;
        }
        if (length > 16 || bits.Ended) return -1;
        int index = code + _valueOffset[length];
        return index >= 0 && index < _values.Length ? _values[index] : -1;
    }
}
