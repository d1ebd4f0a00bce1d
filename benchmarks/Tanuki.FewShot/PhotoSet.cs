namespace Tanuki.FewShot;

/// <summary>
/// The natural-photo set: photographs cut out on a transparent background (PNG), from Debian's
/// <c>tuxpaint-stamps-default</c> (Tux Paint's stamps, GPL-2, by Bill Kendrick and the Tux Paint contributors), in
/// seven classes. Every <c>*.png</c> below each class's folder counts, except drawings: paths containing
/// <c>cartoon</c> or <c>/toys/</c>. The files are copied once into a cache folder, one subfolder per class, so that
/// Tanuki's <c>ImageDataset.FromDirectory</c> and ML.NET read the same files.
/// </summary>
internal sealed class PhotoSet
{
    /// <summary>Where the package puts the stamps.</summary>
    public const string StampsFolder = "/usr/share/tuxpaint/stamps";

    /// <summary>The classes and their folders under <see cref="StampsFolder"/>, in class order (sorted by name, as FromDirectory labels them).</summary>
    public static readonly (string Name, string Folder)[] Sources =
    [
        ("birds", "animals/birds"), ("fish", "animals/fish"), ("flowers", "plants/flowers"), ("fruit", "food/fruit"),
        ("insects", "animals/insects"), ("mammals", "animals/mammals"), ("vegetables", "food/vegetables"),
    ];

    private PhotoSet(string root, string[][] files)
    {
        Root = root;
        Files = files;
    }

    /// <summary>The cache folder: one subfolder per class.</summary>
    public string Root { get; }

    /// <summary>The class names, in label order.</summary>
    public IReadOnlyList<string> ClassNames => Sources.Select(s => s.Name).ToArray();

    /// <summary>Each class's cached files (absolute paths), sorted.</summary>
    public string[][] Files { get; }

    /// <summary>Images per class.</summary>
    public int[] Available => Files.Select(f => f.Length).ToArray();

    /// <summary>Copies the photographs into <paramref name="cache"/>/photos (again only where a file is missing or differs in size).</summary>
    public static PhotoSet Build(string cache)
    {
        if (!Directory.Exists(StampsFolder))
            throw new DirectoryNotFoundException($"{StampsFolder} not found: apt-get install tuxpaint-stamps-default");
        string root = Path.Combine(cache, "photos");
        var files = new string[Sources.Length][];
        for (int c = 0; c < Sources.Length; c++)
        {
            string source = Path.Combine(StampsFolder, Sources[c].Folder);
            string target = Path.Combine(root, Sources[c].Name);
            Directory.CreateDirectory(target);
            var copied = new List<string>();
            foreach (string file in Directory.EnumerateFiles(source, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string relative = Path.GetRelativePath(source, file);
                if (relative.Contains("cartoon", StringComparison.OrdinalIgnoreCase) || ("/" + relative).Contains("/toys/", StringComparison.Ordinal)) continue;
                // Subfolders flattened into the name, so that two "brown.png" of different folders stay apart.
                string destination = Path.Combine(target, relative.Replace('/', '_'));
                if (!File.Exists(destination) || new FileInfo(destination).Length != new FileInfo(file).Length) File.Copy(file, destination, overwrite: true);
                copied.Add(destination);
            }
            foreach (string stale in Directory.EnumerateFiles(target).Except(copied)) File.Delete(stale);
            files[c] = copied.Order(StringComparer.Ordinal).ToArray();
        }
        return new PhotoSet(root, files);
    }
}
