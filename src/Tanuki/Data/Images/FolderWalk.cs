namespace Tanuki.Data;

/// <summary>
/// Lists the files below folders as Keras's <c>os.walk(..., followlinks=follow_links)</c> does, in sorted order;
/// folders whose names start with a dot are skipped. Without <c>followLinks</c> (the default, as in Keras) a
/// symbolic link to a folder is never entered, so a walk is finite and every file listed lies below the folder where
/// it was found; links to files are listed. With <c>followLinks</c>, linked folders are entered, each real folder at
/// most once (a link to a folder already walked, or to one of its own ancestors such as <c>loop -> ..</c>, is
/// skipped), and each file is listed at most once by real path — under its own folder when a walked folder holds it,
/// since every root's plain contents are listed (<see cref="Plain"/>) before anything reached through a link
/// (<see cref="Linked"/>).
/// </summary>
internal sealed class FolderWalk(bool followLinks)
{
    private readonly HashSet<string> _folders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _files = new(StringComparer.Ordinal);

    /// <summary>The files in <paramref name="root"/> and its plain (not linked) subfolders. Call for every root first.</summary>
    public List<string> Plain(string root, Func<string, bool> include) => Walk(root, include, linkPass: false);

    /// <summary>With followLinks, the files that only links below <paramref name="root"/> lead to and no earlier walk listed.</summary>
    public List<string> Linked(string root, Func<string, bool> include) => followLinks ? Walk(root, include, linkPass: true) : [];

    private List<string> Walk(string root, Func<string, bool> include, bool linkPass)
    {
        var found = new List<string>();
        var pending = new Stack<(DirectoryInfo Dir, string Real, bool BelowLink)>();
        string realRoot = RealPath(root);
        _folders.Add(realRoot);
        pending.Push((new DirectoryInfo(root), realRoot, false));
        while (pending.Count > 0)
        {
            var (dir, real, belowLink) = pending.Pop();
            List<FileSystemInfo> entries;
            try { entries = dir.EnumerateFileSystemInfos().ToList(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }   // unreadable: skipped, as os.walk does
            foreach (FileSystemInfo entry in entries)
            {
                bool isLink = entry.LinkTarget is not null;
                if (entry.Attributes.HasFlag(FileAttributes.Directory))
                {
                    if (entry.Name.StartsWith('.')) continue;
                    if (isLink)
                    {
                        if (!linkPass) continue;
                        if (Resolve(entry) is string target && _folders.Add(target)) pending.Push((new DirectoryInfo(entry.FullName), target, true));
                    }
                    else
                    {
                        string childReal = Path.Combine(real, entry.Name);
                        // The link pass walks the plain folders again only to find the links in them.
                        bool isNew = _folders.Add(childReal);
                        if (isNew || (linkPass && !belowLink)) pending.Push(((DirectoryInfo)entry, childReal, belowLink));
                    }
                    continue;
                }
                if (!include(entry.FullName)) continue;
                bool reachedByLink = isLink || belowLink;
                if (!followLinks) { found.Add(entry.FullName); continue; }                  // Keras: file links are listed
                if (reachedByLink != linkPass) continue;                                     // each pass lists its own
                string fileReal = isLink ? Resolve(entry) ?? entry.FullName : Path.Combine(real, entry.Name);
                if (_files.Add(fileReal)) found.Add(entry.FullName);
            }
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    private static string? Resolve(FileSystemInfo link)
    {
        try { return link.ResolveLinkTarget(returnFinalTarget: true) is { Exists: true } t ? RealPath(t.FullName) : null; }
        catch (IOException) { return null; }   // a cycle of links that never reaches a file or folder
    }

    /// <summary>The absolute path with every symbolic link along it resolved, as realpath(3) gives it.</summary>
    internal static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        string real = Path.GetPathRoot(full)!;
        foreach (string part in full[real.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            string next = Path.Combine(real, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is not null)
            {
                try { next = info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? RealPath(target.FullName) : next; }
                catch (IOException) { }   // a cycle of links: keep the path as it is
            }
            real = next;
        }
        return real;
    }
}
