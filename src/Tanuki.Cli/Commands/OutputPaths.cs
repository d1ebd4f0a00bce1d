using System.IO.Compression;
using Tanuki.Cli.Report;
using Tanuki.Data;

namespace Tanuki.Cli.Commands;

/// <summary>
/// Checks, before any work, that the output files can be written and that writing them destroys nothing: no output
/// may be an input, lie inside the data folder (a picture there would become a training image, the report's folder a
/// class), be another output, or replace a file that tanuki did not write. Nothing is created: missing folders are
/// made when the file is written, after the work, so a run that fails leaves nothing behind.
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

    /// <summary>
    /// <c>tanuki train</c>'s outputs against its inputs and each other: the model (<c>--out</c>) and the report
    /// (<c>--report</c>, one page with its pictures inside), against the data folder and each other; and neither may
    /// replace an existing file that is not a model or a report tanuki wrote.
    /// </summary>
    public static void CheckTrainOutputs(string dataDir, string model, string? report)
    {
        string data = Real(dataDir);
        CheckOutside(model, "--out", data, dataDir);
        if (File.Exists(model) && !IsTanukiModel(model))
            throw new CliException($"--out '{model}' exists and is not a Tanuki model, so tanuki will not replace it. Choose another file name, or move that file away.");
        if (report is null) return;
        CheckOutside(report, "--report", data, dataDir);
        if (Same(model, report))
            throw new CliException($"--out and --report are the same file ('{report}'): the report would replace the model. Give them different names, e.g. model.tanuki and report.html.");
        if (File.Exists(report) && !IsTanukiReport(report))
            throw new CliException($"--report '{report}' exists and is not a report tanuki wrote, so tanuki will not replace it. Choose another file name, or move that file away.");
    }

    private static void CheckOutside(string output, string option, string realData, string dataDir)
    {
        string real = Real(output);
        if (real == realData || IsInside(real, realData))
            throw new CliException($"{option} '{output}' is inside the data folder '{dataDir}': it could replace a training image, and what tanuki writes there " +
                                   "would be read as images or classes on the next run. Write it outside the data folder.");
    }

    private static bool Same(string a, string b) => Real(a) == Real(b);

    private static bool IsInside(string path, string folder) =>
        path.StartsWith(folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with the links of its existing part resolved, so that two names of one file compare equal.</summary>
    private static string Real(string path)
    {
        string full = Path.GetFullPath(path);
        string existing = full;
        var rest = new Stack<string>();
        while (!File.Exists(existing) && !Directory.Exists(existing) && Path.GetDirectoryName(existing) is string parent)
        {
            rest.Push(Path.GetFileName(existing));
            existing = parent;
        }
        string real = FolderWalk.RealPath(existing);
        while (rest.Count > 0) real = Path.Combine(real, rest.Pop());
        return real;
    }

    /// <summary>Whether a file is a zip holding a model's <c>config.json</c>, as <c>tanuki train</c> writes.</summary>
    internal static bool IsTanukiModel(string path)
    {
        try
        {
            using ZipArchive zip = ZipFile.OpenRead(path);
            return zip.GetEntry("config.json") is not null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Whether a file starts like the report <see cref="ReportWriter"/> writes.</summary>
    internal static bool IsTanukiReport(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            var head = new char[1024];
            int n = reader.ReadBlock(head, 0, head.Length);
            return new string(head, 0, n).Contains("<title>Tanuki training report</title>", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
