using System.Diagnostics;
using System.Globalization;
using System.Text;
using Tanuki.Callbacks;

namespace Tanuki;

/// <summary>
/// Keras-style progress: <c>Epoch 1/5</c>, then
/// <c>32/32 [==============================] - 3s 94ms/step - loss: 0.4012 - accuracy: 0.8750</c>, redrawn in place
/// on a terminal; when output is redirected, one plain line per epoch. Verbose 2 prints one line per epoch.
/// </summary>
internal sealed class ProgressBar : Callback
{
    private const int Width = 30;
    private readonly int _verbose;
    private readonly TextWriter _out;
    private readonly bool _interactive;
    private readonly Stopwatch _epochClock = new();
    private readonly Stopwatch _redrawClock = new();
    private int _epochs;
    private long _steps;
    private int _lastLength;
    private long _seen;

    public ProgressBar(int verbose, TextWriter? output = null, bool? interactive = null)
    {
        _verbose = verbose;
        _out = output ?? Console.Out;
        _interactive = interactive ?? (!Console.IsOutputRedirected && output is null);
    }

    public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
    {
        _epochs = (int)Params.GetValueOrDefault("epochs", 1);
        _steps = Params.GetValueOrDefault("steps", -1);
    }

    public override void OnEpochBegin(int epoch)
    {
        _out.WriteLine($"Epoch {epoch + 1}/{_epochs}");
        _epochClock.Restart();
        _redrawClock.Restart();
        _lastLength = 0;
        _seen = 0;
    }

    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
    {
        _seen = batch + 1;
        if (_verbose != 1 || !_interactive) return;
        bool last = _steps > 0 && batch + 1 == _steps;
        if (!last && _redrawClock.ElapsedMilliseconds < 100 && batch > 0) return;   // redraw at most 10 times a second
        _redrawClock.Restart();
        Write(Line(batch + 1, logs, final: false), newline: false);
    }

    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
    {
        long done = _seen;
        string line = _verbose == 2
            ? $"{done}/{done} - {Seconds(_epochClock.Elapsed.TotalSeconds)} - {PerStep(done)}{Metrics(logs)}"
            : Line(done, logs, final: true);
        Write(line, newline: true);
    }

    private string Line(long step, IReadOnlyDictionary<string, double> logs, bool final)
    {
        long total = _steps > 0 ? _steps : step;
        var sb = new StringBuilder();
        string count = total.ToString(CultureInfo.InvariantCulture);
        sb.Append(step.ToString(CultureInfo.InvariantCulture).PadLeft(count.Length)).Append('/').Append(count).Append(" [");
        int filled = total > 0 ? (int)(Width * step / total) : Width;
        if (filled >= Width) sb.Append('=', Width);
        else sb.Append('=', Math.Max(0, filled - 1)).Append('>').Append('.', Width - Math.Max(1, filled));
        sb.Append(']');
        double elapsed = _epochClock.Elapsed.TotalSeconds;
        if (final || step >= total) sb.Append(" - ").Append(Seconds(elapsed)).Append(' ').Append(PerStep(step));
        else sb.Append(" - ETA: ").Append(Seconds(elapsed / Math.Max(1, step) * (total - step)));
        sb.Append(Metrics(logs));
        return sb.ToString();
    }

    private string PerStep(long steps)
    {
        double perStep = _epochClock.Elapsed.TotalSeconds / Math.Max(1, steps);
        return perStep >= 1 ? $"{perStep:0}s/step" : perStep >= 1e-3 ? $"{perStep * 1e3:0}ms/step" : $"{perStep * 1e6:0}us/step";
    }

    private static string Seconds(double s) => s >= 3600 ? $"{(int)(s / 3600)}:{(int)(s % 3600 / 60):00}:{(int)(s % 60):00}" : $"{s:0}s";

    private static string Metrics(IReadOnlyDictionary<string, double> logs)
    {
        var sb = new StringBuilder();
        foreach (var (k, v) in logs)
        {
            sb.Append(" - ").Append(k).Append(": ").Append(Format(v));
        }
        return sb.ToString();
    }

    internal static string Format(double v) =>
        Math.Abs(v) >= 1e-3 || v == 0 ? v.ToString("0.0000", CultureInfo.InvariantCulture) : v.ToString("0.0000e+00", CultureInfo.InvariantCulture);

    private void Write(string line, bool newline)
    {
        if (_interactive)
        {
            string padded = line.Length < _lastLength ? line + new string(' ', _lastLength - line.Length) : line;
            _out.Write('\r' + padded);
            _lastLength = line.Length;
            if (newline) { _out.WriteLine(); _lastLength = 0; }
        }
        else if (newline) _out.WriteLine(line);
        _out.Flush();
    }
}
