using System.Diagnostics;

namespace Tanuki.Tests.Cli.Report;

/// <summary>Debian's <c>chromium</c>, headless: loads a page and returns its DOM after scripts ran, and what it logged.</summary>
internal static class HeadlessChromium
{
    /// <summary>The browser, or null where it is not installed.</summary>
    public static readonly string? Path = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists);

    /// <summary>
    /// Opens <paramref name="page"/> and returns the DOM it dumps and its stderr, where console messages appear as
    /// <c>CONSOLE</c> lines. A fresh profile each time, so that runs at once do not share one.
    /// </summary>
    public static (string Dom, string Log) Load(string page)
    {
        string profile = Directory.CreateTempSubdirectory("tanuki-chromium").FullName;
        try
        {
            var start = new ProcessStartInfo(Path ?? throw new InvalidOperationException("chromium is not installed"))
            {
                RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (string a in new[]
                     {
                         "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-extensions",
                         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", $"--user-data-dir={profile}",
                         "--dump-dom", new Uri(page).AbsoluteUri,
                     })
                start.ArgumentList.Add(a);
            using var p = Process.Start(start)!;
            Task<string> dom = p.StandardOutput.ReadToEndAsync(), log = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish loading {page} in 2 minutes");
            }
            return (dom.Result, log.Result);
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); }
            catch (IOException) { }
        }
    }
}

/// <summary>A fact that is skipped, saying how to install it, where chromium is missing.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Path is null)
            Skip = "chromium is not installed, so the report cannot be opened in a real browser. Install it with 'apt-get install chromium' (.ci/run does).";
    }
}
