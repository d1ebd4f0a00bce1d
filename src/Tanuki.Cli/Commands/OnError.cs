using System.CommandLine;

namespace Tanuki.Cli.Commands;

/// <summary><c>--on-error skip|fail</c>: what the verbs that read images do with one they cannot read.</summary>
internal static class OnError
{
    public static Option<string> Create() => new("--on-error")
    {
        Description = "What to do with an image that cannot be read (empty, truncated, damaged, not an image, too large): fail names it and stops; " +
                      "skip leaves it out, says why, and lists every skipped file at the end.",
        DefaultValueFactory = _ => "fail",
    };

    /// <summary>The library's <c>onError</c> for the option's value ("raise" or "skip").</summary>
    public static string Parse(string value) => value switch
    {
        "fail" => "raise",
        "skip" => "skip",
        _ => throw new CliException($"--on-error must be 'fail' or 'skip'. Received: '{value}'"),
    };

    /// <summary>Prints the skipped files (to stderr, after the results): how many, and each with its reason.</summary>
    public static void Summarize(IReadOnlyCollection<(string File, string Reason)> skipped, int? total, TextWriter error)
    {
        var files = skipped.DistinctBy(s => s.File).ToList();
        if (files.Count == 0) return;
        error.WriteLine($"tanuki: skipped {files.Count}{(total is int n ? $" of {n}" : "")} image{(files.Count == 1 ? "" : "s")} that could not be read (--on-error skip):");
        foreach (var (file, reason) in files) error.WriteLine($"  {file}: {reason}");
    }
}
