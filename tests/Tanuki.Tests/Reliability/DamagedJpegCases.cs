using System.Text.Json;
using System.Text.RegularExpressions;
using Tanuki.Data;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// Issue 16, item 6: a JPEG with damaged scan data decoded to grey garbage without a word (SkiaSharp reports success when
/// libjpeg only warns). The fixtures are six kinds of encoder output (baseline, 4:4:4, optimized tables, progressive,
/// restart markers, grayscale), each intact and damaged seven ways, with libjpeg's own verdict on each
/// (tools/make_jpeg_fixtures.py runs djpeg). What libjpeg warns about or refuses, Tanuki refuses, naming the file;
/// what it decodes cleanly, Tanuki decodes.
/// </summary>
public class DamagedJpegCases
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Data", "Jpeg");

    private static readonly Dictionary<string, string> Verdicts =
        JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(Path.Combine(Folder, "verdicts.json")))!;

    public static TheoryData<string> Files
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string file in Verdicts.Keys.Order(StringComparer.Ordinal)) data.Add(file);
            return data;
        }
    }

    /// <summary>Whether libjpeg found the file damaged: a fatal error, or a warning other than a few stray bytes (which damage nothing).</summary>
    private static bool LibjpegSaysDamaged(string verdict)
    {
        if (verdict.Length == 0) return false;
        Match extraneous = Regex.Match(verdict, @"^Corrupt JPEG data: (\d+) extraneous bytes before marker 0x[0-9a-f]+ \(exit 2\)$");
        return !extraneous.Success || int.Parse(extraneous.Groups[1].Value) > JpegScan.ExtraneousBytesTolerated;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void DecodingAgreesWithLibjpeg(string file)
    {
        string path = Path.Combine(Folder, file);
        string verdict = Verdicts[file];
        if (!LibjpegSaysDamaged(verdict))
        {
            using Tensor image = ImageDataset.LoadImage(path, (24, 32));
            Assert.Equal(new long[] { 3, 24, 32 }, image.shape);
            return;
        }
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.LoadImage(path, (24, 32)));
        Assert.Contains(file, e.Message);
        if (verdict.StartsWith("Corrupt JPEG data", StringComparison.Ordinal))
        {
            // The cases SkiaSharp called a success: only the scan check catches them.
            Assert.Contains("damaged JPEG", e.Message);
            Assert.NotNull(JpegScan.Find(File.ReadAllBytes(path)));
        }
    }

    [Fact]
    public void TheFixturesCoverEveryKindOfDamage()
    {
        Assert.Equal(48, Verdicts.Count);
        Assert.Contains(Verdicts.Values, v => v.Contains("bad Huffman code"));
        Assert.Contains(Verdicts.Values, v => v.Contains("premature end of data segment"));
        Assert.Contains(Verdicts.Values, v => v.Contains("extraneous bytes"));
        Assert.Contains(Verdicts.Values, v => v.StartsWith("Premature end of JPEG file"));
        Assert.Equal(6, Verdicts.Count(kv => kv.Key.EndsWith("_ok.jpg") && kv.Value == ""));
    }

    /// <summary>With onError "skip", a damaged JPEG in a training folder is left out and logged, and the epoch has the other images.</summary>
    [Fact]
    public void ADamagedJpegInAFolderIsSkippedWithSkip()
    {
        using var w = new World();
        File.Copy(Path.Combine(Folder, "baseline_zeros.jpg"), w.At("data/circle/damaged.jpg"));
        var ds = ImageDataset.FromDirectory(w.Data, (32, 32), batchSize: 0, shuffle: false, onError: "skip");
        Assert.Equal(13, ds.FilePaths.Count);                       // the header is fine
        Assert.Equal(12, ds.ToList().Count);
        var skipped = Assert.Single(ds.SkippedFiles);
        Assert.EndsWith("damaged.jpg", skipped.File);
        Assert.Contains("premature end of data", skipped.Reason);
    }

    /// <summary>A file found sound is not checked again in later epochs, unless it changed: then it is.</summary>
    [Fact]
    public void AFileThatChangesIsCheckedAgain()
    {
        using var w = new World();
        w.Write("a.jpg", File.ReadAllBytes(Path.Combine(Folder, "progressive_ok.jpg")));
        ImageDataset.LoadImage(w.At("a.jpg"), (8, 8)).Dispose();
        DateTime written = new FileInfo(w.At("a.jpg")).LastWriteTimeUtc;
        byte[] damaged = File.ReadAllBytes(Path.Combine(Folder, "progressive_zeros.jpg"));
        Assert.Equal(new FileInfo(w.At("a.jpg")).Length, damaged.Length);   // same size: only the time tells
        File.WriteAllBytes(w.At("a.jpg"), damaged);
        File.SetLastWriteTimeUtc(w.At("a.jpg"), written.AddSeconds(1));
        var e = Assert.Throws<InvalidDataException>(() => ImageDataset.LoadImage(w.At("a.jpg"), (8, 8)));
        Assert.Contains("damaged JPEG", e.Message);
    }
}
