using System.Text;

namespace Tanuki.Callbacks;

/// <summary>
/// Writes one CSV row per epoch: <c>epoch</c> (0-based, as Keras writes it), then every log key in sorted order
/// (<c>accuracy,loss,val_accuracy,val_loss</c>), numbers as Python writes them (<c>0.6931471805599453</c>,
/// <c>1e-05</c>, <c>nan</c>). The header comes from the first epoch's keys; a key missing later is written
/// <c>NA</c>. Each row is on disk when the epoch ends (the file is opened, appended and closed), so a run that
/// crashes keeps its rows.
/// <para>Unlike Keras, no empty <c>val_</c> columns are added when there is no validation data (Keras adds them for
/// its <c>validation_freq</c>, which Tanuki does not have).</para>
/// <para>With <c>append</c>, rows are added to an existing file and the header is written only if the file is
/// empty — use it to log both stages of a fine-tuning run into one file.</para>
/// </summary>
public sealed class CsvLogger : Callback
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private List<string>? _keys;
    private bool _writeHeader;

    /// <summary>Creates the callback.</summary>
    /// <param name="filename">The CSV file.</param>
    /// <param name="separator">The field separator.</param>
    /// <param name="append">Append to the file instead of overwriting it.</param>
    public CsvLogger(string filename, string separator = ",", bool append = false)
    {
        if (string.IsNullOrWhiteSpace(filename))
            throw new ArgumentException($"Expected a file name. Received: filename=\"{filename}\"", nameof(filename));
        if (string.IsNullOrEmpty(separator) || separator.Contains('"') || separator.Contains('\n'))
            throw new ArgumentException($"Expected a separator such as \",\" or \"\\t\". Received: separator=\"{separator}\"", nameof(separator));
        Filename = filename;
        Separator = separator;
        Append = append;
    }

    /// <summary>The CSV file.</summary>
    public string Filename { get; }
    /// <summary>The field separator.</summary>
    public string Separator { get; }
    /// <summary>Whether rows are appended to an existing file.</summary>
    public bool Append { get; }

    /// <inheritdoc />
    public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(Filename));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        if (Append && File.Exists(Filename))
        {
            using var reader = new StreamReader(Filename);
            _writeHeader = string.IsNullOrEmpty(reader.ReadLine());
        }
        else
        {
            File.WriteAllText(Filename, "", Utf8);   // fails here, before training, if the file cannot be written
            _writeHeader = true;
        }
        _keys = null;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        var sb = new StringBuilder();
        if (_keys is null)
        {
            _keys = logs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            if (_writeHeader) sb.Append(Row(["epoch", .. _keys]));
        }
        var cells = new List<string> { epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (string key in _keys) cells.Add(logs.TryGetValue(key, out double v) ? PythonFormat.Repr(v) : "NA");
        sb.Append(Row(cells));
        File.AppendAllText(Filename, sb.ToString(), Utf8);
    }

    /// <summary>A CSV line with the csv module's minimal quoting and its "\r\n" line ending.</summary>
    private string Row(IEnumerable<string> cells) =>
        string.Join(Separator, cells.Select(Quote)) + "\r\n";

    private string Quote(string cell) =>
        cell.Contains(Separator, StringComparison.Ordinal) || cell.Contains('"') || cell.Contains('\n') || cell.Contains('\r')
            ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : cell;
}
