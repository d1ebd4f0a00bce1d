namespace Tanuki.Data;

/// <summary>
/// The files of an image folder with one subfolder per class, as Keras indexes it: class names are the subfolder
/// names in sorted (ordinal) order, labels their positions; each class's images are found in its subfolder and
/// below, in sorted path order. Files with other extensions are ignored, and so are folders whose names start
/// with a dot (<c>.ipynb_checkpoints</c>, <c>.git</c>).
/// </summary>
internal sealed record ImageFolderIndex(string Directory, string[] ClassNames, string[] Files, int[] Labels)
{
    private static string ExtensionList => string.Join(", ", ImageDecoder.Extensions);

    /// <summary>Indexes <paramref name="directory"/>; with <paramref name="skip"/>, an empty class is reported through
    /// <paramref name="log"/> instead of failing. Links to folders are entered only with <paramref name="followLinks"/>
    /// (see <see cref="FolderWalk"/>).</summary>
    public static ImageFolderIndex Scan(string directory, bool skip, Action<string, string> log, bool followLinks = false)
    {
        if (File.Exists(directory))
        {
            string full = Path.GetFullPath(directory);
            string hint = ImageDecoder.IsImageFile(directory)
                ? $" (this image's class folder is '{Path.GetDirectoryName(full)}', so the data folder is probably '{Path.GetDirectoryName(Path.GetDirectoryName(full))}')"
                : "";
            throw new InvalidDataException($"'{directory}' is a file, not a folder: give the folder that holds one subfolder of images per class{hint}.");
        }
        if (!System.IO.Directory.Exists(directory))
            throw new DirectoryNotFoundException($"The image folder '{directory}' does not exist.");
        string root = Path.GetFullPath(directory);
        string[] classDirs = System.IO.Directory.GetDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal)
            .ToArray();
        if (classDirs.Length == 0)
        {
            int loose = System.IO.Directory.EnumerateFiles(root).Count(ImageDecoder.IsImageFile);
            if (loose > 0)
                throw new InvalidDataException(
                    $"'{root}' holds {loose} images directly but no class subfolders. Labels come from subfolder names: " +
                    $"put each class's images in its own subfolder ('{Path.Combine(root, "cats")}', '{Path.Combine(root, "dogs")}', ...).");
            throw new InvalidDataException(
                $"No images found in '{root}': expected one subfolder per class, each holding image files ({ExtensionList}).");
        }

        var files = new List<string>();
        var labels = new List<int>();
        var walk = new FolderWalk(followLinks);
        List<string>[] plain = classDirs.Select(d => walk.Plain(d, ImageDecoder.IsImageFile)).ToArray();   // every class's own files first
        for (int label = 0; label < classDirs.Length; label++)
        {
            List<string> images = [.. plain[label], .. walk.Linked(classDirs[label], ImageDecoder.IsImageFile)];
            if (images.Count == 0)
            {
                string message = $"The class folder '{classDirs[label]}' has no images ({ExtensionList}). Every subfolder is a class: " +
                                 "add its images, or move the folder out.";
                if (!skip) throw new InvalidDataException(message);
                log(classDirs[label], "the class folder has no images; the class is kept, with no samples");
            }
            files.AddRange(images);
            labels.AddRange(Enumerable.Repeat(label, images.Count));
        }
        if (files.Count == 0)
            throw new InvalidDataException(
                $"No images found in '{root}': its {classDirs.Length} class subfolders hold no image files ({ExtensionList}).");
        return new ImageFolderIndex(root, classDirs.Select(Path.GetFileName).ToArray()!, files.ToArray(), labels.ToArray());
    }

    /// <summary>
    /// Reads every file's header (in parallel, no pixels): rejects files that are empty, not images, or too large,
    /// before any training starts. Fails on the first bad file (in order) or, with <paramref name="skip"/>, logs and
    /// drops them.
    /// </summary>
    public ImageFolderIndex CheckHeaders(long maxPixels, bool skip, Action<string, string> log)
    {
        var errors = new Exception?[Files.Length];
        Parallel.For(0, Files.Length, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount) }, i =>
        {
            try { ImageDecoder.ReadHeader(Files[i], maxPixels); }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException) { errors[i] = e; }
        });
        int bad = errors.Count(e => e is not null);
        if (bad == 0) return this;
        if (!skip)
        {
            Exception first = errors.First(e => e is not null)!;
            string more = bad > 1 ? $" ({bad - 1} more files have problems too; onError: \"skip\" skips them all and logs each.)" : " (onError: \"skip\" skips such files and logs them.)";
            throw new InvalidDataException(first.Message + more, first);
        }
        for (int i = 0; i < Files.Length; i++)
            if (errors[i] is Exception e) log(Files[i], e.Message);
        var keep = Enumerable.Range(0, Files.Length).Where(i => errors[i] is null).ToArray();
        if (keep.Length == 0) throw new InvalidDataException($"None of the {Files.Length} images in '{Directory}' can be read (each was logged).");
        return this with { Files = keep.Select(i => Files[i]).ToArray(), Labels = keep.Select(i => Labels[i]).ToArray() };
    }
}
