namespace Tanuki.Cli.Commands;

/// <summary>Checks, before any work, that an output file can be written (its folder is created if missing).</summary>
internal static class OutputPaths
{
    public static string CheckWritable(string path, string option)
    {
        string full;
        try { full = Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new CliException($"{option} '{path}' is not a valid path: {e.Message}");
        }
        if (Directory.Exists(full)) throw new CliException($"{option} '{path}' is a folder; give a file name, e.g. {Path.Combine(path, option == "--report" ? "report.html" : "model.tanuki")}.");
        string dir = Path.GetDirectoryName(full)!;
        string probe = Path.Combine(dir, $".tanuki-write-test-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{option} '{path}' cannot be written ({e.Message}). Choose a folder you can write to.");
        }
        return full;
    }
}
