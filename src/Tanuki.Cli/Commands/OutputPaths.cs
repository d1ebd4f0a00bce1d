namespace Tanuki.Cli.Commands;

/// <summary>
/// Checks, before any work, that an output file can be written. Nothing is created: missing folders are made when
/// the file is written, after the work, so a run that fails leaves nothing behind.
/// </summary>
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
        string? dir = Path.GetDirectoryName(full);
        while (dir is not null && !Directory.Exists(dir))
        {
            if (File.Exists(dir))
                throw new CliException($"{option} '{path}' cannot be written: '{dir}' is a file, not a folder. Choose a path in a folder you can write to.");
            dir = Path.GetDirectoryName(dir);
        }
        if (dir is null) throw new CliException($"{option} '{path}' cannot be written: none of its folders exists.");
        string probe = Path.Combine(dir, $".tanuki-write-test-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{option} '{path}' cannot be written: folder '{dir}' is not writable ({e.Message}). Choose a folder you can write to.");
        }
        return full;
    }
}
