using System.Diagnostics;

namespace Tanuki.Tests.Interop;

/// <summary>
/// ONNX's own validator, <c>onnx.checker.check_model(model, full_check=True)</c> (structure, operator schemas, and
/// strict shape and type inference), run by Debian's python3-onnx on many files in one process.
/// </summary>
internal static class OnnxChecker
{
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys, onnx
        for path in sys.argv[1:]:
            try:
                onnx.checker.check_model(onnx.load(path), full_check=True)
                print("OK\t" + path)
            except Exception as e:
                print("FAIL\t" + path + "\t" + " ".join(str(e).split()))
        """;

    private static readonly Lazy<string?> s_missing = new(() =>
    {
        if (!File.Exists(Python)) return $"{Python} is not installed";
        var (code, _, err) = RunPython(["-c", "import onnx"]);
        return code == 0 ? null : $"python3 cannot import onnx ({err.Trim()})";
    });

    /// <summary>Why the checker cannot run here, or null when it can.</summary>
    public static string? Missing => s_missing.Value;

    /// <summary>Checks the files; returns each file's problem (empty when every file passes).</summary>
    public static Dictionary<string, string> Check(IEnumerable<string> paths)
    {
        string[] files = paths.ToArray();
        var (code, output, error) = RunPython(["-c", Script, .. files]);
        Assert.True(code == 0, $"the onnx checker script failed (exit code {code}): {error}");
        var problems = new Dictionary<string, string>();
        var seen = new HashSet<string>();
        foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] parts = line.Split('\t');
            seen.Add(parts[1]);
            if (parts[0] == "FAIL") problems[parts[1]] = parts.Length > 2 ? parts[2] : "(no message)";
        }
        foreach (string f in files.Where(f => !seen.Contains(f))) problems[f] = "the checker printed nothing for it";
        return problems;
    }

    private static (int Code, string Output, string Error) RunPython(string[] args)
    {
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync(), error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("the onnx checker ran for more than 5 minutes");
        }
        return (p.ExitCode, output.Result, error.Result);
    }
}

/// <summary>A fact that is skipped, saying why and how to install it, where python3-onnx is missing.</summary>
public sealed class OnnxCheckerFactAttribute : FactAttribute
{
    public OnnxCheckerFactAttribute()
    {
        if (OnnxChecker.Missing is string why)
            Skip = $"onnx.checker cannot run: {why}. Install it with 'apt-get install python3-onnx' (.ci/run does).";
    }
}
