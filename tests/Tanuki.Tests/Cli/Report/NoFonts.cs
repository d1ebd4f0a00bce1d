using System.Diagnostics;

namespace Tanuki.Tests.Cli.Report;

/// <summary>
/// Runs a command as on a machine with no fonts installed. SkiaSharp's Linux build finds fonts by scanning
/// <c>/usr/share/fonts</c> itself (FONTCONFIG_FILE does not hide them), so the command runs in its own mount namespace
/// with an empty folder mounted over that one (<c>unshare -m</c> as root, <c>unshare -rm</c> otherwise); where the
/// folder is missing or empty already, it runs as it is.
/// </summary>
internal static class NoFonts
{
    private const string Fonts = "/usr/share/fonts";

    /// <summary>The words that run a command with the fonts hidden (empty when there are none to hide), or null where that cannot be done.</summary>
    public static readonly Lazy<string[]?> Prefix = new(Find);

    /// <summary>Runs <paramref name="command"/> (program and arguments) with no fonts to be found.</summary>
    public static (int Code, string Out, string Err) Run(string[] command, string workingDirectory) =>
        Execute([.. Prefix.Value ?? throw new InvalidOperationException("fonts cannot be hidden here"), .. command], workingDirectory);

    private static string[]? Find()
    {
        if (!OperatingSystem.IsLinux()) return null;
        if (!Directory.Exists(Fonts) || !Directory.EnumerateFileSystemEntries(Fonts).Any()) return [];
        string empty = Directory.CreateTempSubdirectory("tanuki-no-fonts").FullName;
        foreach (string flags in new[] { "-m", "-rm" })
        {
            string[] prefix = ["unshare", flags, "sh", "-c", $"mount --bind '{empty}' {Fonts} && exec \"$@\"", "sh"];
            try
            {
                if (Execute([.. prefix, "sh", "-c", $"test -z \"$(ls -A {Fonts})\""], Path.GetTempPath()).Code == 0) return prefix;
            }
            catch (System.ComponentModel.Win32Exception) { return null; }   // no unshare
        }
        return null;
    }

    private static (int Code, string Out, string Err) Execute(string[] command, string workingDirectory)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (string a in command[1..]) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync(), error = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', command)} ran for more than 5 minutes");
        }
        return (p.ExitCode, output.Result, error.Result);
    }
}

/// <summary>A fact that is skipped, saying why, where fonts cannot be hidden from a command.</summary>
public sealed class NoFontsFactAttribute : FactAttribute
{
    public NoFontsFactAttribute()
    {
        if (NoFonts.Prefix.Value is null)
            Skip = "the fonts in /usr/share/fonts cannot be hidden from a command here (Linux with 'unshare -m' as root, or 'unshare -rm' with user namespaces, is needed).";
    }
}
