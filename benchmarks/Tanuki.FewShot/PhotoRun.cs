using Tanuki.Data;

namespace Tanuki.FewShot;

/// <summary>
/// One run on the photo set: a folder of links to the cached files, <c>train/CLASS/</c> and <c>test/CLASS/</c>, for the
/// classes the regime uses; every image of those classes that is not drawn for training is a test image. Images are
/// read as <c>tanuki train</c> reads them: padded to a square with white (<c>padToAspectRatio</c>, the CLI's default),
/// transparency composited on white, resized to the image size.
/// </summary>
internal sealed class PhotoRun : IRunData
{
    private readonly string _folder;
    private readonly int _size;

    public PhotoRun(PhotoSet photos, RegimePlan plan, int[][] draw, int size, string scratch)
    {
        _size = size;
        _folder = Path.Combine(scratch, "photos-run");
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
        var names = new List<string>();
        var trainFiles = new List<(string, int)>();
        var testFiles = new List<(string, int)>();
        foreach (int c in plan.Classes)
        {
            string name = photos.ClassNames[c];
            int label = names.Count;
            names.Add(name);
            int[] order = draw[c];
            for (int i = 0; i < order.Length; i++)
            {
                string file = photos.Files[c][order[i]];
                bool train = i < plan.Counts[c];
                string dir = Path.Combine(_folder, train ? "train" : "test", name);
                Directory.CreateDirectory(dir);
                File.CreateSymbolicLink(Path.Combine(dir, Path.GetFileName(file)), file);
                (train ? trainFiles : testFiles).Add((file, label));
            }
        }
        ClassNames = names;
        TrainFiles = trainFiles;
        TrainLabels = [.. InOrder("train").Labels];
        // ML.NET reads the test files in the test dataset's order, so that predictions line up with TestLabels.
        ImageDataset test = InOrder("test");
        TestLabels = [.. test.Labels];
        TestFiles = test.FilePaths.Select((p, i) => (File.ResolveLinkTarget(p, returnFinalTarget: true)?.FullName ?? p, TestLabels[i])).ToList();
        if (!test.ClassNames!.SequenceEqual(names)) throw new InvalidOperationException("The test folder's classes differ from the training folder's.");
    }

    public IReadOnlyList<string> ClassNames { get; }

    public int[] TrainLabels { get; }

    public int[] TestLabels { get; }

    public IReadOnlyList<(string Path, int Label)> TrainFiles { get; }

    public IReadOnlyList<(string Path, int Label)> TestFiles { get; }

    /// <summary>As <c>tanuki train DIR</c> with its defaults: batches of 32, --seed 1, --resize pad.</summary>
    public Dataset Train() => ImageDataset.FromDirectory(Path.Combine(_folder, "train"), (_size, _size), 32, seed: 1, padToAspectRatio: true);

    public Dataset TrainInOrder() => InOrder("train");

    public Dataset Test() => InOrder("test");

    private ImageDataset InOrder(string part) =>
        ImageDataset.FromDirectory(Path.Combine(_folder, part), (_size, _size), 32, shuffle: false, padToAspectRatio: true);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }
}
