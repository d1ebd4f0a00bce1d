using System.Globalization;
using System.Text;

namespace Tanuki;

/// <summary>
/// Draws a <see cref="ModelSummary"/> as Keras 3 prints it (a rich table: heavy header, a rule between rows), with
/// Keras's column positions and default widths; long cells wrap onto more lines.
/// </summary>
internal static class SummaryTable
{
    private enum Align { Left, Right, Center }

    public static string Render(ModelSummary summary, bool showTrainable, int? lineLength)
    {
        bool connections = summary.ShowsConnections;
        var header = new List<string> { "Layer (type)", "Output Shape", "Param #" };
        var align = new List<Align> { Align.Left, Align.Left, Align.Right };
        List<double> positions = connections ? [0.3, 0.56, 0.74, 1.0] : [0.45, 0.80, 1.0];
        int length = DefaultLength(connections, showTrainable);
        if (connections)
        {
            header.Add("Connected to");
            align.Add(Align.Left);
        }
        if (showTrainable)
        {
            positions = [.. positions.Select(p => p * 0.90), 1.0];
            header.Add("Trainable");
            align.Add(Align.Center);
        }
        length = lineLength ?? length;

        // Column i spans up to position i of the line; its text is that width minus the border and padding.
        var widths = new int[positions.Count];
        int current = 0;
        for (int i = 0; i < positions.Count; i++)
        {
            int width = (int)(positions[i] * length) - current;
            if (width < 4)
                throw new ArgumentOutOfRangeException(nameof(lineLength), lineLength,
                    $"Insufficient width to print the summary: expected a line length of at least {MinimumLength(positions)}. Received: lineLength={length}");
            widths[i] = width - 3;
            current += width;
        }
        widths[^1] -= 1;
        // Headers stay on one line (Keras's Trainable column is narrower than its name): the first column gives way.
        for (int i = 1; i < widths.Length; i++)
        {
            int missing = header[i].Length - widths[i];
            if (missing > 0 && widths[0] - missing >= 4)
            {
                widths[i] += missing;
                widths[0] -= missing;
            }
        }

        var sb = new StringBuilder();
        sb.Append("Model: \"").Append(summary.ModelName).Append("\"\n");
        sb.Append(Rule('┏', '━', '┳', '┓', widths));
        AppendRow(sb, header, widths, align, '┃');
        sb.Append(summary.Rows.Count == 0 ? Rule('┗', '━', '┻', '┛', widths) : Rule('┡', '━', '╇', '┩', widths));
        for (int r = 0; r < summary.Rows.Count; r++)
        {
            if (r > 0) sb.Append(Rule('├', '─', '┼', '┤', widths));
            AppendRow(sb, Cells(summary.Rows[r], connections, showTrainable), widths, align, '│');
        }
        if (summary.Rows.Count > 0) sb.Append(Rule('└', '─', '┴', '┘', widths));
        sb.Append(Total("Total params", summary.TotalParams, summary.TotalBytes));
        sb.Append(Total("Trainable params", summary.TrainableParams, summary.TrainableBytes));
        sb.Append(Total("Non-trainable params", summary.NonTrainableParams, summary.NonTrainableBytes));
        if (summary.OptimizerParams is long o) sb.Append(Total("Optimizer params", o, summary.OptimizerBytes));
        return sb.ToString();
    }

    /// <summary>Keras's default line length: 88, or 108 with <c>Connected to</c>; 12 more with <c>Trainable</c>.</summary>
    public static int DefaultLength(bool connections, bool showTrainable) => (connections ? 108 : 88) + (showTrainable ? 12 : 0);

    private static int MinimumLength(List<double> positions) =>
        (int)Math.Ceiling(4 / positions.Zip(positions.Prepend(0)).Min(p => p.First - p.Second)) + 1;

    private static List<string> Cells(SummaryRow row, bool connections, bool showTrainable)
    {
        string prefix = row.Depth > 0 ? string.Concat(Enumerable.Repeat("   ", row.Depth)) + "└ " : "";
        string count = row.ParamCount.ToString("N0", CultureInfo.InvariantCulture);
        var cells = new List<string> { $"{prefix}{row.Name} ({row.TypeName})", row.OutputShape, row.Built ? count : "0 (unbuilt)" };
        if (connections) cells.Add(row.ConnectedTo);
        if (showTrainable) cells.Add(row.Trainable switch { true => "Y", false => "N", null => "-" });
        return cells;
    }

    private static string Total(string label, long count, long bytes) =>
        $" {label}: {count.ToString("N0", CultureInfo.InvariantCulture)} ({ModelSummary.FormatBytes(bytes)})\n";

    private static string Rule(char left, char fill, char cross, char right, int[] widths)
    {
        var sb = new StringBuilder().Append(left);
        for (int i = 0; i < widths.Length; i++)
        {
            sb.Append(fill, widths[i] + 2);
            sb.Append(i == widths.Length - 1 ? right : cross);
        }
        return sb.Append('\n').ToString();
    }

    private static void AppendRow(StringBuilder sb, List<string> cells, int[] widths, List<Align> align, char border)
    {
        List<string>[] lines = cells.Select((c, i) => Wrap(c, widths[i])).ToArray();
        int height = lines.Max(l => l.Count);
        for (int h = 0; h < height; h++)
        {
            sb.Append(border);
            for (int i = 0; i < widths.Length; i++)
            {
                string text = h < lines[i].Count ? lines[i][h] : "";
                sb.Append(' ').Append(Pad(text, widths[i], align[i])).Append(' ').Append(border);
            }
            sb.Append('\n');
        }
    }

    private static string Pad(string text, int width, Align align)
    {
        int space = width - text.Length;
        return align switch
        {
            Align.Right => new string(' ', space) + text,
            Align.Center => new string(' ', space / 2) + text + new string(' ', space - space / 2),
            _ => text + new string(' ', space),
        };
    }

    private const string Heavy = "┏━┳┓┃┡╇┩┗┻┛";
    private const string Light = "┌─┬┐│├┼┤└┴┘";
    private const string Plain = "+-++|+++++++";

    /// <summary>The table in characters the console can show: a legacy code page (Windows' 437) has the light box
    /// characters but not the heavy ones; failing that, plain ASCII.</summary>
    public static string ForEncoding(string text, Encoding encoding)
    {
        bool CanShow(string chars) => encoding.GetString(encoding.GetBytes(chars)) == chars;
        if (CanShow(Heavy + Light)) return text;
        string target = CanShow(Light) ? Light : Plain;
        var sb = new StringBuilder(text);
        for (int i = 0; i < sb.Length; i++)
        {
            int k = Heavy.IndexOf(sb[i], StringComparison.Ordinal);
            if (k < 0) k = Light.IndexOf(sb[i], StringComparison.Ordinal);
            if (k >= 0) sb[i] = target[k];
        }
        return sb.ToString();
    }

    /// <summary>Greedy word wrap at spaces; a word longer than the width is cut.</summary>
    internal static List<string> Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        string trimmed = text.TrimStart(' ');
        string[] words = trimmed.Split(' ');
        words[0] = text[..(text.Length - trimmed.Length)] + words[0];   // keep a nested row's indent
        foreach (string word in words)
        {
            string rest = word;
            if (line.Length > 0 && line.Length + 1 + rest.Length <= width)
            {
                line.Append(' ').Append(rest);
                continue;
            }
            if (line.Length > 0)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            while (rest.Length > width)
            {
                lines.Add(rest[..width]);
                rest = rest[width..];
            }
            line.Append(rest);
        }
        lines.Add(line.ToString());
        return lines;
    }
}
