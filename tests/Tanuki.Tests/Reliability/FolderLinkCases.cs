using Tanuki.Data;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// Issue 16, item 3: a <c>loop -> ..</c> link inside a class folder made indexing endless, and files reached through links
/// took the wrong class (36 images indexed as 11,316, 10,320 of them mislabelled). As in Keras, links to folders are
/// not followed by default; with <c>followLinks: true</c> each real folder is walked once and each file counted once,
/// under its own class. Every case must finish within seconds and index exactly the files it should, labelled right.
/// </summary>
public class FolderLinkCases
{
    private static ImageDataset Index(string dir, bool followLinks = false)
    {
        var task = Task.Run(() => ImageDataset.FromDirectory(dir, (8, 8), batchSize: 0, shuffle: false, followLinks: followLinks));
        Assert.True(task.Wait(TimeSpan.FromSeconds(60)), "indexing did not finish within a minute (a loop of links?)");
        return task.Result;
    }

    /// <summary>The label of each indexed file, by its path relative to the data folder.</summary>
    private static Dictionary<string, string> Labels(World w, ImageDataset ds) =>
        ds.FilePaths.Select((f, i) => (Path.GetRelativePath(w.Data, f), ds.ClassNames![ds.Labels[i]])).ToDictionary(p => p.Item1, p => p.Item2);

    /// <summary>Each file is labelled with the class folder it is in (first part of its path).</summary>
    private static void AssertLabelledByFolder(Dictionary<string, string> labels)
    {
        foreach (var (path, label) in labels) Assert.Equal(path.Split(Path.DirectorySeparatorChar)[0], label);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALoopToTheDataFolderIsWalkedOnce(bool followLinks)
    {
        using var w = new World();
        w.Link("data/circle/loop", "..");
        ImageDataset ds = Index(w.Data, followLinks);
        Assert.Equal(12, ds.FilePaths.Count);
        AssertLabelledByFolder(Labels(w, ds));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALinkToItselfIsWalkedOnce(bool followLinks)
    {
        using var w = new World();
        w.Link("data/square/self", ".");
        w.Link("data/square/deeper/again", "../..");
        Assert.Equal(12, Index(w.Data, followLinks).FilePaths.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ALinkToAnotherClassNeverRelabelsItsFiles(bool followLinks)
    {
        using var w = new World();
        w.Link("data/circle/borrowed", "../square");
        ImageDataset ds = Index(w.Data, followLinks);
        Assert.Equal(12, ds.FilePaths.Count);          // the square files once, as squares
        AssertLabelledByFolder(Labels(w, ds));
    }

    [Fact]
    public void ALinkToAFolderOutsideIsFollowedOnlyWhenAsked()
    {
        using var w = new World();
        w.Write("extra/e1.png", HostileFiles.Png(1));
        w.Write("extra/sub/e2.png", HostileFiles.Png(2));
        w.Link("data/stripes/extra", w.At("extra"));
        w.Link("data/circle/extra-too", w.At("extra"));   // the same real folder twice: counted once
        Assert.Equal(12, Index(w.Data).FilePaths.Count);
        ImageDataset ds = Index(w.Data, followLinks: true);
        Assert.Equal(14, ds.FilePaths.Count);
        Assert.Equal(2, ds.FilePaths.Count(f => f.Contains("extra", StringComparison.Ordinal)));
        Assert.Equal(6, ds.Labels.Count(l => ds.ClassNames![l] == "circle"));   // circle's link is walked first (classes in order)
        Assert.Equal(4, ds.Labels.Count(l => ds.ClassNames![l] == "stripes"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ACycleOfLinksThatLeadsNowhereIsIgnored(bool followLinks)
    {
        using var w = new World();
        w.Link("data/circle/a", w.At("data/circle/b"));
        w.Link("data/circle/b", w.At("data/circle/a"));
        Assert.Equal(12, Index(w.Data, followLinks).FilePaths.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ABrokenLinkToAFolderIsIgnored(bool followLinks)
    {
        using var w = new World();
        w.Link("data/circle/gone", w.At("nowhere"));
        Assert.Equal(12, Index(w.Data, followLinks).FilePaths.Count);
    }

    [Fact]
    public void ALinkToAnImageIsReadLikeKeras()
    {
        using var w = new World();
        w.Write("elsewhere/photo.png", HostileFiles.Png());
        w.Link("data/square/photo.png", w.At("elsewhere/photo.png"));
        ImageDataset ds = Index(w.Data);
        Assert.Equal(13, ds.FilePaths.Count);
        Assert.Equal("square", Labels(w, ds)[Path.Combine("square", "photo.png")]);
    }

    [Fact]
    public void WithFollowLinksALinkedImageOfAnotherClassIsCountedOnceUnderItsOwn()
    {
        using var w = new World();
        w.Link("data/circle/copy.png", w.At("data/square/00.png"));
        ImageDataset ds = Index(w.Data, followLinks: true);
        Assert.Equal(12, ds.FilePaths.Count);
        Assert.DoesNotContain(ds.FilePaths, f => f.EndsWith("copy.png", StringComparison.Ordinal));
        Assert.Equal(13, Index(w.Data).FilePaths.Count);     // Keras lists file links without followLinks
    }

    [Fact]
    public void LinkedClassFoldersAreClasses()
    {
        using var w = new World();
        Directory.CreateDirectory(w.At("linked"));
        foreach (string c in new[] { "circle", "square" }) w.Link($"linked/{c}", w.At($"data/{c}"));
        ImageDataset ds = Index(w.At("linked"));
        Assert.Equal(new[] { "circle", "square" }, ds.ClassNames);
        Assert.Equal(8, ds.FilePaths.Count);
    }

    [Fact]
    public void TheDataFolderMayBeALink()
    {
        using var w = new World();
        w.Link("alias", w.Data);
        Assert.Equal(12, Index(w.At("alias"), followLinks: true).FilePaths.Count);
    }

    [Fact]
    public void ManyLinksToOneFolderDoNotMultiplyIt()
    {
        using var w = new World();
        for (int i = 0; i < 50; i++) w.Link($"data/circle/l{i}", "..");
        ImageDataset ds = Index(w.Data, followLinks: true);
        Assert.Equal(12, ds.FilePaths.Count);
        AssertLabelledByFolder(Labels(w, ds));
    }
}
