using System.Diagnostics;
using System.Text;

namespace Tanuki.Benchmarks;

/// <summary>Starts this program (or the PyTorch script) as a child and collects the measurements it prints.</summary>
internal static class ChildProcess
{
    public const string Python = "/usr/bin/python3";

    /// <summary>How to start this program again: its apphost, or <c>dotnet Tanuki.Benchmarks.dll</c>.</summary>
    public static (string File, List<string> Args) Self()
    {
        string host = Environment.ProcessPath ?? "dotnet";
        string dll = typeof(ChildProcess).Assembly.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? (host, [dll]) : (host, []);
    }

    /// <summary>
    /// Runs the child to completion; returns the measurements among its stdout lines (JSON objects with times), its
    /// other stdout lines that are JSON objects (the PyTorch scripts' other results), and an error when it exited with an error.
    /// </summary>
    public static (List<Measurement> Measurements, List<string> JsonLines, string? Error) Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) start.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) start.Environment[k] = v;
        using var p = new Process { StartInfo = start };
        var stderr = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        try
        {
            p.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return ([], [], $"could not start {file}: {e.Message}");
        }
        p.BeginErrorReadLine();
        var measurements = new List<Measurement>();
        var json = new List<string>();
        var other = new StringBuilder();
        while (p.StandardOutput.ReadLine() is string line)
        {
            if (line.StartsWith('{') && Measurement.FromJson(line) is Measurement m) measurements.Add(m);
            else if (line.StartsWith('{')) json.Add(line);
            else other.AppendLine(line);
        }
        p.WaitForExit();
        if (p.ExitCode == 0) return (measurements, json, null);
        string detail = (stderr.ToString() + other).Trim();
        string tail = string.Join("\n", detail.Split('\n').TakeLast(12));
        return (measurements, json, $"exit code {p.ExitCode}:\n{tail}");
    }
}
