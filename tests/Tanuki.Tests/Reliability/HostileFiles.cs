using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Tanuki.Tests.Data;

namespace Tanuki.Tests.Reliability;

/// <summary>The bad files of the catalogue: images damaged in the ways downloads and disks damage them, and model files edited or crafted.</summary>
internal static class HostileFiles
{
    /// <summary>A 96×64 photo-like JPEG (smooth gradients and noise), baseline, quality 90.</summary>
    public static byte[] Jpeg(int seed = 1)
    {
        var random = new Random(seed);
        return ImageFiles.Jpeg(96, 64, ImageFiles.Pixels(96, 64, (x, y) =>
            ((byte)(x * 2 + random.Next(20)), (byte)(y * 3 + random.Next(20)), (byte)((x + y) % 256), (byte)255)), quality: 90);
    }

    public static byte[] Png(int seed = 1)
    {
        var random = new Random(seed);
        return ImageFiles.PngRgb(48, 40, ImageFiles.Pixels(48, 40, (_, _) => ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256), (byte)255)));
    }

    /// <summary>Where a JPEG's scan data (after the start-of-scan header) begins.</summary>
    public static int ScanStart(byte[] jpeg)
    {
        for (int i = 2; i < jpeg.Length - 3; i++)
            if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) return i + 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]);
        throw new InvalidOperationException("no start of scan");
    }

    /// <summary>The middle of the scan data overwritten: random bytes (a bad sector, a bad copy), zeros to the end (a preallocated
    /// file never completed), or 0xFF to the end.</summary>
    public static byte[] DamagedJpeg(string how, int seed = 1)
    {
        byte[] jpeg = Jpeg(seed);
        int start = ScanStart(jpeg), mid = start + (jpeg.Length - 2 - start) / 2;
        var random = new Random(seed);
        switch (how)
        {
            case "random":
                for (int i = mid; i < Math.Min(mid + 200, jpeg.Length - 2); i++) jpeg[i] = (byte)random.Next(256);
                break;
            case "zeros":
                Array.Clear(jpeg, mid, jpeg.Length - 2 - mid);
                break;
            case "ff":
                Array.Fill(jpeg, (byte)0xFF, mid, jpeg.Length - 2 - mid);
                break;
            default:
                throw new ArgumentException(how);
        }
        return jpeg;
    }

    public static byte[] Truncated(byte[] file, double keep = 0.6) => file[..(int)(file.Length * keep)];

    public static byte[] Text(string text = "this is not an image, just a note that was saved with an image extension") => Encoding.UTF8.GetBytes(text);

    /// <summary>A valid PNG header declaring <paramref name="w"/>×<paramref name="h"/> pixels, with no pixel data: a few bytes that ask for gigabytes.</summary>
    public static byte[] HugePng(int w = 30000, int h = 30000) => ImageFiles.PngHeaderOnly(w, h);

    /// <summary>A copy of a model file with its zip entries changed: <paramref name="edit"/> gets them by name and may change, add or remove any.</summary>
    public static byte[] EditModel(byte[] model, Action<Dictionary<string, byte[]>> edit)
    {
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (var zip = new ZipArchive(new MemoryStream(model), ZipArchiveMode.Read))
            foreach (ZipArchiveEntry e in zip.Entries)
            {
                using var s = e.Open();
                var m = new MemoryStream();
                s.CopyTo(m);
                entries[e.FullName] = m.ToArray();
            }
        edit(entries);
        var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in entries)
            {
                using Stream s = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                s.Write(bytes);
            }
        return output.ToArray();
    }

    /// <summary>A model file whose <c>config.json</c> (or another JSON entry) is changed by <paramref name="edit"/>.</summary>
    public static byte[] EditJson(byte[] model, string entry, Action<JsonObject> edit) => EditModel(model, entries =>
    {
        var json = JsonNode.Parse(entries[entry])!.AsObject();
        edit(json);
        entries[entry] = Encoding.UTF8.GetBytes(json.ToJsonString());
    });

    /// <summary>Every JSON object inside <paramref name="node"/> (depth first), to find a layer's config to edit.</summary>
    public static IEnumerable<JsonObject> Objects(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            yield return o;
            foreach (var (_, v) in o) foreach (JsonObject inner in Objects(v)) yield return inner;
        }
        else if (node is JsonArray a)
            foreach (JsonNode? v in a) foreach (JsonObject inner in Objects(v)) yield return inner;
    }
}
