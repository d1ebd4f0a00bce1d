namespace Tanuki.Data;

/// <summary>
/// Decodes the Huffman codes of one JPEG scan, block by block (ITU T.81 F.2.2 and G.1.2, as libjpeg's jdhuff.c and
/// jdphuff.c read them), without the transform, to find damaged data: a code no table has, data that ends before the
/// last block, restart markers out of order, or much data left after the last block.
/// </summary>
internal ref struct ScanDecoder
{
    private readonly JpegScan.Frame _frame;
    private readonly JpegScan.Component[] _components;
    private readonly Huffman?[] _dc, _ac;
    private readonly int _ss, _se, _ah, _restartInterval;
    private JpegBits _bits;
    private int _eobRun;

    public ScanDecoder(JpegScan.Frame frame, ReadOnlySpan<byte> header, Huffman?[] dc, Huffman?[] ac, int restartInterval, ReadOnlySpan<byte> data, int start)
    {
        _frame = frame;
        _restartInterval = restartInterval;
        _bits = new JpegBits(data, start);
        _components = [];
        _dc = new Huffman?[4];
        _ac = new Huffman?[4];
        int n = header.Length > 0 ? header[0] : 0;
        if (n is < 1 or > 4 || header.Length < 1 + 2 * n + 3) { Problem = "a scan header is malformed"; return; }
        _components = new JpegScan.Component[n];
        for (int i = 0; i < n; i++)
        {
            byte id = header[1 + 2 * i], tables = header[2 + 2 * i];
            JpegScan.Component? c = frame.Components!.FirstOrDefault(x => x.Id == id);
            if (c is null) { Problem = $"a scan names component {id}, which the frame does not have"; return; }
            _components[i] = c;
            _dc[i] = dc[(tables >> 4) & 3];
            _ac[i] = ac[tables & 3];
        }
        _ss = header[1 + 2 * n];
        _se = header[2 + 2 * n];
        _ah = header[3 + 2 * n] >> 4;
        bool dcScan = _ss == 0;
        bool needsDc = !frame.Progressive || (dcScan && _ah == 0);
        bool needsAc = !frame.Progressive || !dcScan;
        for (int i = 0; i < n; i++)
        {
            if ((needsDc && _dc[i] is null) || (needsAc && _ac[i] is null)) { Problem = "a scan uses a Huffman table the file does not define"; return; }
        }
        if (frame.Progressive && (_se > 63 || _ss > _se || (!dcScan && n != 1))) Problem = "a progressive scan header is malformed";
    }

    /// <summary>What is wrong, once found.</summary>
    public string? Problem { get; private set; }

    /// <summary>Where the scan's data ends (the next marker).</summary>
    public readonly int End => _bits.Position;

    public void Run()
    {
        bool single = _components.Length == 1;
        JpegScan.Component first = _components[0];
        int mcusX = single ? first.UsedPerLine : _frame.McusX;
        int mcusY = single ? first.UsedLines : _frame.McusY;
        long total = (long)mcusX * mcusY, done = 0;
        int restartIndex = 0;
        for (int my = 0; my < mcusY; my++)
            for (int mx = 0; mx < mcusX; mx++)
            {
                if (_restartInterval > 0 && done > 0 && done % _restartInterval == 0 && !NextRestart(ref restartIndex)) return;
                if (single) Block(0, (long)my * first.BlocksPerLine + mx);
                else
                    for (int i = 0; i < _components.Length; i++)
                    {
                        JpegScan.Component c = _components[i];
                        for (int v = 0; v < c.V; v++)
                            for (int h = 0; h < c.H; h++)
                                Block(i, (long)(my * c.V + v) * c.BlocksPerLine + mx * c.H + h);
                    }
                if (Problem is not null) return;
                if (_bits.Ended)
                {
                    Problem = _bits.AtEndOfFile
                        ? $"{JpegScan.TruncatedMark}the file ends after {done} of the {total} blocks of a scan"
                        : $"the data ends after {done} of the {total} blocks of a scan (premature end of data)";
                    return;
                }
                done++;
            }
        int unused = _bits.SkipToMarker();
        if (unused > JpegScan.ExtraneousBytesTolerated)
            Problem = $"{unused} bytes of data are left after the last block of a scan, so the codes before them were wrong";
    }

    /// <summary>Expects restart marker RST(index mod 8) and continues after it.</summary>
    private bool NextRestart(ref int index)
    {
        if (_bits.SkipToMarker() > JpegScan.ExtraneousBytesTolerated) { Problem = "data is left over before a restart marker, so the codes before it were wrong"; return false; }
        int marker = _bits.MarkerAt(out int at);
        if (marker != 0xD0 + (index & 7))
        {
            Problem = marker < 0 ? "the file ends where a restart marker belongs" : $"restart marker {index & 7} is missing (found marker 0x{marker:X2} at offset {at})";
            return false;
        }
        index++;
        _bits.Restart();
        _eobRun = 0;
        return true;
    }

    private void Block(int i, long index)
    {
        if (!_frame.Progressive) { Sequential(_dc[i]!, _ac[i]!); return; }
        JpegScan.Component c = _components[i];
        if (_ss == 0)
        {
            if (_ah == 0) Bits(Symbol(_dc[i]!));
            else _bits.Get(1);
        }
        else if (_ah == 0) AcFirst(_ac[i]!, ref c.NonZero![index]);
        else AcRefine(_ac[i]!, ref c.NonZero![index]);
    }

    private int Symbol(Huffman table)
    {
        int s = table.Decode(ref _bits);
        if (s < 0 && Problem is null) Problem = _bits.Ended ? null : "a Huffman code no table has (bad Huffman code)";
        return Math.Max(s, 0);
    }

    private void Bits(int n) => _bits.Get(Math.Min(n & 31, 16));

    private void Sequential(Huffman dc, Huffman ac)
    {
        Bits(Symbol(dc));
        for (int k = 1; k < 64 && Problem is null && !_bits.Ended; k++)
        {
            int rs = Symbol(ac), r = rs >> 4, s = rs & 15;
            if (s != 0) { k += r; Bits(s); }
            else if (r == 15) k += 15;
            else break;
        }
    }

    private void AcFirst(Huffman ac, ref ulong nonZero)
    {
        if (_eobRun > 0) { _eobRun--; return; }
        for (int k = _ss; k <= _se && Problem is null && !_bits.Ended; k++)
        {
            int rs = Symbol(ac), r = rs >> 4, s = rs & 15;
            if (s != 0)
            {
                k += r;
                Bits(s);
                if (k < 64) nonZero |= 1UL << k;
            }
            else if (r == 15) k += 15;
            else
            {
                _eobRun = (1 << r) - 1 + _bits.Get(r);
                break;
            }
        }
    }

    private void AcRefine(Huffman ac, ref ulong nonZero)
    {
        int k = _ss;
        if (_eobRun == 0)
        {
            for (; k <= _se && Problem is null && !_bits.Ended; k++)
            {
                int rs = Symbol(ac), r = rs >> 4, s = rs & 15;
                if (s != 0)
                {
                    if (s != 1 && Problem is null) Problem = "a refinement code has a size other than 1 (bad Huffman code)";
                    _bits.Get(1);
                }
                else if (r != 15)
                {
                    _eobRun = (1 << r) + _bits.Get(r);
                    break;
                }
                // Skip r zero coefficients (reading a correction bit for each non-zero one on the way), then place the new one.
                do
                {
                    if ((nonZero & (1UL << k)) != 0) _bits.Get(1);
                    else if (--r < 0) break;
                    k++;
                }
                while (k <= _se);
                if (s != 0 && k < 64) nonZero |= 1UL << k;
            }
        }
        if (_eobRun > 0)
        {
            for (; k <= _se; k++)
                if ((nonZero & (1UL << k)) != 0) _bits.Get(1);
            _eobRun--;
        }
    }
}
