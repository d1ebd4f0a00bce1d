using Tanuki.Saving;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// Interrupted writes (issue 16, item 9: a kill during save left hidden <c>.tmp</c> files, 536 MB after 12 kills). A kill
/// cannot run code, so the next save of the same file cleans up: it deletes the temporary files earlier saves of it
/// left, and only those — never a file of the user's, nor one another process is writing now.
/// </summary>
public class InterruptionCases
{
    /// <summary>What a save killed mid-write leaves: <c>.NAME.GUID.tmp</c> with part of a model.</summary>
    private static string Leftover(World w, string target, int bytes = 4096)
    {
        string path = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(path, new byte[bytes]);
        return path;
    }

    private static Model Small()
    {
        var input = new Input(3);
        return new Model(input, new Tanuki.Layers.Dense(2).Call(input));
    }

    [Fact]
    public void TheNextSaveDeletesWhatKilledSavesLeft()
    {
        using var w = new World();
        string target = w.At("out/m.tanuki");
        Directory.CreateDirectory(w.At("out"));
        string[] left = Enumerable.Range(0, 12).Select(_ => Leftover(w, target)).ToArray();
        Small().Save(target);
        Assert.All(left, f => Assert.False(File.Exists(f), $"'{f}' was left"));
        Assert.Equal(["m.tanuki"], Directory.GetFiles(w.At("out")).Select(Path.GetFileName));
        Assert.NotNull(Model.Load(target));
    }

    [Fact]
    public void TheUsersFilesBesideItAreKept()
    {
        using var w = new World();
        string target = w.At("m.tanuki");
        string[] theirs =
        [
            w.At(".m.tanuki.notes.tmp"),                    // not a GUID
            w.At(".m.tanuki.0123456789ABCDEF0123456789ABCDEF.tmp"),   // upper case: not what AtomicFile writes
            w.At(".other.tanuki.0123456789abcdef0123456789abcdef.tmp"), // another target's
            w.At("m.tanuki.0123456789abcdef0123456789abcdef.tmp"),    // not hidden
        ];
        foreach (string f in theirs) File.WriteAllText(f, "mine");
        Small().Save(target);
        Assert.All(theirs, f => Assert.Equal("mine", File.ReadAllText(f)));
    }

    [Fact]
    public void ATemporaryFileBeingWrittenNowIsKept()
    {
        using var w = new World();
        string target = w.At("m.tanuki");
        string busy = Leftover(w, target);
        using (var writer = new FileStream(busy, FileMode.Open, FileAccess.Write, FileShare.None))   // as a save in progress holds it
        {
            Small().Save(target);
            Assert.True(File.Exists(busy));
        }
        Small().Save(target);
        Assert.False(File.Exists(busy));
    }

    [Fact]
    public void SaveWeightsCleansUpToo()
    {
        using var w = new World();
        string target = w.At("w.safetensors");
        string left = Leftover(w, target);
        Small().SaveWeights(target);
        Assert.False(File.Exists(left));
    }

    [Fact]
    public void AFailedSaveLeavesTheOldFileAndNoTemporaryFile()
    {
        using var w = new World();
        string target = w.At("m.tanuki");
        Small().Save(target);
        byte[] before = File.ReadAllBytes(target);
        Model bad = Small();
        bad.ClassNames = ["one", "two", "three"];                       // 2 outputs: refused
        var e = Assert.Throws<InvalidOperationException>(() => bad.Save(target));
        Assert.Contains("lists 3 class names, but the model has 2 outputs", e.Message);
        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.Equal(["m.tanuki"], Directory.GetFiles(w.Root, "*m.tanuki*").Select(Path.GetFileName));
    }

    [Fact]
    public void AnExceptionWhileWritingLeavesNoTemporaryFile()
    {
        using var w = new World();
        string target = w.At("x.bin");
        Assert.Throws<IOException>(() => AtomicFile.Write(target, s => { s.Write(new byte[1000]); throw new IOException("disk full"); }));
        Assert.Empty(Directory.GetFiles(w.Root, ".x.bin.*"));
        Assert.False(File.Exists(target));
    }

    [Fact]
    public void SavingOverAFolderIsRefusedByName()
    {
        using var w = new World();
        var e = Assert.ThrowsAny<IOException>(() => Small().Save(w.Photos));
        Assert.Contains("is a directory", e.Message);
        Assert.Equal(3, Directory.GetFiles(w.Photos).Length);
    }
}
