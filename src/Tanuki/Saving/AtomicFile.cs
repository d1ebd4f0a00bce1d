using System.Text.RegularExpressions;

namespace Tanuki.Saving;

/// <summary>
/// Writes a file all at once or not at all: the bytes go to a temporary file in the same folder
/// (<c>.NAME.GUID.tmp</c>), which is then renamed over the target. An exception leaves the target as it was and no
/// temporary file behind. A process killed while writing leaves its temporary file, which the next write of the
/// same target deletes (temporary files another process is still writing are locked, and kept).
/// </summary>
internal static partial class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"Cannot write '{path}': it is a directory.");
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        DeleteStale(full);
        string temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The temporary files earlier writes of <paramref name="full"/> left behind (killed mid-write); returns how many were deleted.</summary>
    internal static int DeleteStale(string full)
    {
        string directory = Path.GetDirectoryName(full)!;
        string name = Path.GetFileName(full);
        int deleted = 0;
        IEnumerable<string> candidates;
        try { candidates = Directory.EnumerateFiles(directory, $".{name}.*.tmp").ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        foreach (string candidate in candidates)
        {
            string rest = Path.GetFileName(candidate)[(name.Length + 2)..^4];
            if (!Guid32().IsMatch(rest)) continue;   // only names this class makes
            try
            {
                // A writer holds its temporary file locked; a killed one does not.
                using (new FileStream(candidate, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                File.Delete(candidate);
                deleted++;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return deleted;
    }

    [GeneratedRegex("^[0-9a-f]{32}$")]
    private static partial Regex Guid32();
}
