namespace Tanuki.Data;

/// <summary>
/// Checks the entropy-coded data of a Huffman JPEG (baseline, extended and progressive): every block of every scan
/// must decode to valid Huffman codes, the data must not end before the last block, restart markers must come in
/// order, and little data may be left over. libjpeg, under SkiaSharp, only warns about these ("Corrupt JPEG data:
/// bad Huffman code", "premature end of data segment") and fills the rest of the image with grey, which SkiaSharp
/// reports as a success: without this check a damaged photo became grey garbage that trained and predicted with no
/// word (issue 16). Only the codes are decoded (no transform), much cheaper than decoding the pixels.
/// Arithmetic-coded and lossless JPEGs are not checked.
/// </summary>
internal static class JpegScan
{
    /// <summary>Whole bytes left between the last block and the next marker before the data counts as damaged. libjpeg
    /// warns from one; some cameras leave a stray byte or two, which damage nothing.</summary>
    internal const int ExtraneousBytesTolerated = 16;

    /// <summary>Files found sound, by path, with the size and time they had: later epochs decode them unchecked.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (long Length, DateTime Written)> s_sound = new();

    /// <exception cref="InvalidDataException">The scan data is damaged; the message names the file and the problem.</exception>
    public static void Check(string path, ReadOnlySpan<byte> data)
    {
        var file = new FileInfo(path);
        var stamp = (file.Length, file.LastWriteTimeUtc);
        if (s_sound.TryGetValue(file.FullName, out var known) && known == stamp && stamp.Length == data.Length) return;
        string? problem;
        try { problem = Find(data); }
        catch (IndexOutOfRangeException) { problem = "its markers run past the end of the file"; }
        if (problem is null)
        {
            s_sound[file.FullName] = stamp;
            return;
        }
        throw new InvalidDataException(problem.StartsWith(TruncatedMark, StringComparison.Ordinal)
            ? $"'{path}' is truncated: {problem[TruncatedMark.Length..]} (an interrupted download or copy?). Decoders show the rest as grey. Copy it again or delete it."
            : $"'{path}' is a damaged JPEG: {problem}. Decoders show the rest of such an image as grey, so it would train or predict on " +
              "garbage. Copy the file again, or delete it.");
    }

    /// <summary>Starts a problem that is a truncation (the file ends inside the scan data) rather than damage.</summary>
    internal const string TruncatedMark = "truncated: ";

    /// <summary>What is wrong with the file's scan data; null if nothing (or if it is not a kind this checks).</summary>
    internal static string? Find(ReadOnlySpan<byte> d)
    {
        if (d.Length < 4 || d[0] != 0xFF || d[1] != 0xD8) return null;   // not a JPEG: the decoder says so
        var frame = default(Frame);
        var dc = new Huffman?[4];
        var ac = new Huffman?[4];
        int restartInterval = 0;
        int pos = 2;
        while (true)
        {
            if (pos + 1 >= d.Length) return frame.Components is null ? null : "the file ends before its end-of-image marker";
            if (d[pos] != 0xFF) return $"bytes that are not a marker at offset {pos}";
            byte marker = d[pos + 1];
            pos += 2;
            if (marker == 0xFF) { pos--; continue; }                   // fill bytes
            if (marker == 0xD9) return null;                             // end of image
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue;       // no length
            if (pos + 1 >= d.Length) return "the file ends inside a marker segment";
            int length = (d[pos] << 8) | d[pos + 1];
            if (length < 2 || pos + length > d.Length) return $"a marker segment at offset {pos - 2} runs past the end of the file";
            ReadOnlySpan<byte> segment = d.Slice(pos + 2, length - 2);
            pos += length;
            switch (marker)
            {
                case 0xC0 or 0xC1 or 0xC2:
                    frame = Frame.Read(segment, progressive: marker == 0xC2);
                    if (frame.Components is null) return null;           // a size given later (DNL): not checked
                    break;
                case 0xC3 or (>= 0xC5 and <= 0xC7) or (>= 0xC9 and <= 0xCB) or (>= 0xCD and <= 0xCF):
                    return null;                                         // lossless, hierarchical or arithmetic: not checked
                case 0xC4:
                    if (!Huffman.ReadTables(segment, dc, ac)) return "a Huffman table is malformed";
                    break;
                case 0xDD:
                    if (segment.Length < 2) return "the restart interval is malformed";
                    restartInterval = (segment[0] << 8) | segment[1];
                    break;
                case 0xDA:
                    if (frame.Components is null) return null;
                    var scan = new ScanDecoder(frame, segment, dc, ac, restartInterval, d, pos);
                    if (scan.Problem is null) scan.Run();
                    if (scan.Problem is not null) return scan.Problem;
                    pos = scan.End;
                    break;
            }
        }
    }

    /// <summary>The frame header: size, and each component's sampling factors.</summary>
    internal struct Frame
    {
        public int Width, Height, MaxH, MaxV;
        public bool Progressive;
        public Component[]? Components;

        public static Frame Read(ReadOnlySpan<byte> s, bool progressive)
        {
            var f = new Frame { Progressive = progressive };
            if (s.Length < 6) return f;
            f.Height = (s[1] << 8) | s[2];
            f.Width = (s[3] << 8) | s[4];
            int n = s[5];
            if (f.Height == 0 || f.Width == 0 || n == 0 || s.Length < 6 + 3 * n) return f;
            var components = new Component[n];
            for (int i = 0; i < n; i++)
            {
                int h = s[6 + 3 * i + 1] >> 4, v = s[6 + 3 * i + 1] & 15;
                if (h is < 1 or > 4 || v is < 1 or > 4) return f;
                components[i] = new Component { Id = s[6 + 3 * i], H = h, V = v };
                f.MaxH = Math.Max(f.MaxH, h);
                f.MaxV = Math.Max(f.MaxV, v);
            }
            int mcusX = (f.Width + 8 * f.MaxH - 1) / (8 * f.MaxH), mcusY = (f.Height + 8 * f.MaxV - 1) / (8 * f.MaxV);
            foreach (Component c in components)
            {
                c.BlocksPerLine = mcusX * c.H;                           // padded to whole MCUs
                c.BlockLines = mcusY * c.V;
                c.UsedPerLine = (int)Math.Ceiling(Math.Ceiling(f.Width * c.H / (double)f.MaxH) / 8);
                c.UsedLines = (int)Math.Ceiling(Math.Ceiling(f.Height * c.V / (double)f.MaxV) / 8);
                if (progressive) c.NonZero = new ulong[(long)c.BlocksPerLine * c.BlockLines];
            }
            f.Components = components;
            return f;
        }

        public readonly int McusX => (Width + 8 * MaxH - 1) / (8 * MaxH);
        public readonly int McusY => (Height + 8 * MaxV - 1) / (8 * MaxV);
    }

    internal sealed class Component
    {
        public int Id, H, V, BlocksPerLine, BlockLines, UsedPerLine, UsedLines;
        /// <summary>Progressive: per block, which zig-zag coefficients earlier scans made non-zero (for refinement scans).</summary>
        public ulong[]? NonZero;
    }
}
