namespace Tanuki.Data;

/// <summary>
/// Reads the bits of a JPEG scan's entropy-coded data: a stuffed <c>FF 00</c> is the byte <c>FF</c>, and any other
/// marker ends the data. Reading past that end sets <see cref="Ended"/> (libjpeg's "premature end of data segment").
/// </summary>
internal ref struct JpegBits
{
    private readonly ReadOnlySpan<byte> _data;
    private ulong _buffer;     // the next bits, most significant first
    private int _count;        // how many of them are real

    public JpegBits(ReadOnlySpan<byte> data, int start)
    {
        _data = data;
        Position = start;
    }

    /// <summary>The offset of the next byte not yet in the buffer.</summary>
    public int Position { get; private set; }

    /// <summary>Whether the data has reached a marker (or the end of the file).</summary>
    public bool AtMarker { get; private set; }

    /// <summary>Whether the data ended because the file did (no marker: the file is cut short).</summary>
    public readonly bool AtEndOfFile => AtMarker && Position >= _data.Length;

    /// <summary>Whether more bits were asked for than the data holds.</summary>
    public bool Ended { get; private set; }

    /// <summary>Whole bytes read into the buffer but not used (counted as left over when the scan ends).</summary>
    public readonly int UnusedBytes => _count / 8;

    private void Fill()
    {
        while (_count <= 56 && !AtMarker)
        {
            if (Position >= _data.Length) { AtMarker = true; break; }
            byte b = _data[Position];
            if (b == 0xFF)
            {
                if (Position + 1 < _data.Length && _data[Position + 1] == 0) Position += 2;
                else { AtMarker = true; break; }
            }
            else Position++;
            _buffer |= (ulong)b << (56 - _count);
            _count += 8;
        }
    }

    public bool TryPeek(int n, out int value)
    {
        if (_count < n) Fill();
        value = (int)(_buffer >> (64 - n));
        return _count >= n;
    }

    public void Skip(int n)
    {
        _buffer <<= n;
        _count -= n;
    }

    /// <summary>The next <paramref name="n"/> bits (0 to 16); zeros once the data has ended.</summary>
    public int Get(int n)
    {
        if (n == 0) return 0;
        if (_count < n) Fill();
        if (_count < n)
        {
            Ended = true;
            _buffer = 0;
            _count = n;
        }
        int value = (int)(_buffer >> (64 - n));
        Skip(n);
        return value;
    }

    /// <summary>Drops the buffered bits and moves to the next marker; returns how many whole bytes were never used.</summary>
    public int SkipToMarker()
    {
        int unused = UnusedBytes;
        _buffer = 0;
        _count = 0;
        while (!AtMarker)
        {
            if (Position >= _data.Length) { AtMarker = true; break; }
            if (_data[Position] == 0xFF && (Position + 1 >= _data.Length || _data[Position + 1] != 0)) { AtMarker = true; break; }
            Position += _data[Position] == 0xFF ? 2 : 1;
            unused++;
        }
        return unused;
    }

    /// <summary>The marker at <see cref="Position"/> (after any <c>FF</c> fill bytes, where it moves to), or -1 at the end of the file.</summary>
    public int MarkerAt(out int offset)
    {
        while (Position + 1 < _data.Length && _data[Position] == 0xFF && _data[Position + 1] == 0xFF) Position++;
        offset = Position;
        return Position + 1 < _data.Length ? _data[Position + 1] : -1;
    }

    /// <summary>Continues after a restart marker at <see cref="Position"/>.</summary>
    public void Restart()
    {
        Position += 2;
        AtMarker = false;
        _buffer = 0;
        _count = 0;
    }
}
