using System.Security.Cryptography;
using Tanuki.Layers;
using Tanuki.Tests.Cli;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// What a user has before a hostile case runs, in a fresh temporary folder: <c>data/</c> (3 classes × 4 shape
/// images, as <c>tanuki train</c> takes), <c>model.tanuki</c> (a small model of those classes at 32×32, as
/// <c>tanuki predict</c> and <c>evaluate</c> take) and <c>photos/</c> (three loose images to predict). A snapshot of
/// every file (its bytes' hash; links by target, never followed) shows whether a case changed anything.
/// </summary>
internal sealed class World : IDisposable
{
    private static readonly Lazy<byte[]> s_model = new(MakeModel);

    public World()
    {
        Root = Path.Combine(Path.GetTempPath(), "tanuki-hostile-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Root);
        Data = ShapeImages.Write(At("data"), perClass: 4);
        Model = At("model.tanuki");
        File.WriteAllBytes(Model, s_model.Value);
        Directory.CreateDirectory(At("photos"));
        foreach (string c in ShapeImages.Classes) File.Copy(Path.Combine(Data, c, "00.png"), At($"photos/{c}.png"));
    }

    public string Root { get; }
    public string Data { get; }
    public string Model { get; }
    public string Photos => At("photos");

    /// <summary>A path under the world's root ('/'-separated).</summary>
    public string At(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public void Write(string relative, byte[] bytes)
    {
        string path = At(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    public void Link(string relative, string target)
    {
        string path = At(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (Directory.Exists(Path.Combine(Path.GetDirectoryName(path)!, target)) || Directory.Exists(target)) Directory.CreateSymbolicLink(path, target);
        else File.CreateSymbolicLink(path, target);
    }

    /// <summary>Every entry under the root: files by the hash of their bytes, links by target, folders by name.</summary>
    public Dictionary<string, string> Snapshot()
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Root]);
        while (pending.Count > 0)
        {
            foreach (FileSystemInfo e in new DirectoryInfo(pending.Pop()).EnumerateFileSystemInfos())
            {
                string rel = Path.GetRelativePath(Root, e.FullName);
                if (e.LinkTarget is string target) entries[rel] = "link -> " + target;
                else if (e is DirectoryInfo d) { entries[rel] = "folder"; pending.Push(d.FullName); }
                else entries[rel] = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(e.FullName)));
            }
        }
        return entries;
    }

    /// <summary>
    /// Nothing the user had changed or disappeared; what is new is only <paramref name="created"/> (relative paths,
    /// and anything below them).
    /// </summary>
    public void AssertUnchanged(Dictionary<string, string> before, params string[] created)
    {
        Dictionary<string, string> after = Snapshot();
        foreach (var (path, hash) in before)
        {
            Assert.True(after.TryGetValue(path, out string? now), $"'{path}' disappeared");
            Assert.True(now == hash, $"'{path}' changed");
        }
        var allowed = created.Select(c => c.Replace('/', Path.DirectorySeparatorChar)).ToArray();
        string[] unexpected = after.Keys.Where(p => !before.ContainsKey(p) &&
            !allowed.Any(a => p == a || p.StartsWith(a + Path.DirectorySeparatorChar, StringComparison.Ordinal))).ToArray();
        Assert.True(unexpected.Length == 0, "unexpected new files: " + string.Join(", ", unexpected));
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>A small classifier of the shape images (32×32 RGB, 3 classes), its weights fitted for a few steps so it is an ordinary trained model.</summary>
    private static byte[] MakeModel()
    {
        TanukiInfo.SetRandomSeed(7);
        var input = new Input(3, 32, 32);
        SymbolicTensor x = new Rescaling(1 / 255.0).Call(input);
        x = new Conv2D(4, (3, 3), activation: Activations.Relu).Call(x);
        x = new GlobalAveragePooling2D().Call(x);
        var model = new Model(input, new Dense(3).Call(x), name: "shapes") { ClassNames = ShapeImages.Classes };
        string path = Path.Combine(Path.GetTempPath(), $"tanuki-hostile-model-{Guid.NewGuid():N}.tanuki");
        model.Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }
}
