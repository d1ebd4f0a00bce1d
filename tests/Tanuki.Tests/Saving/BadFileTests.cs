using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Tanuki.Layers;
using Tanuki.Saving;

namespace Tanuki.Tests.Saving;

/// <summary>Every kind of bad file gives a <see cref="ModelFileException"/> that names the file and the problem.</summary>
public class BadFileTests
{
    private static string SavedModel(TempDirectory dir, string name = "good.tanuki")
    {
        var model = new Sequential(new Input(4), [new Dense(64, name: "bf_dense"), new BatchNormalization(name: "bf_bn")], "bf_model");
        string path = dir.File(name);
        model.Save(path);
        return path;
    }

    private static ModelFileException LoadFails(string path, params string[] expected)
    {
        var e = Assert.Throws<ModelFileException>(() => Model.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        foreach (string s in expected) Assert.Contains(s, e.Message);
        return e;
    }

    /// <summary>Rewrites one entry of a saved archive.</summary>
    internal static void Rewrite(string path, string entry, Func<byte[], byte[]?> change)
    {
        var entries = new List<(string Name, byte[] Data)>();
        using (ZipArchive zip = ZipFile.OpenRead(path))
            foreach (ZipArchiveEntry e in zip.Entries)
            {
                var ms = new MemoryStream();
                using (Stream s = e.Open()) s.CopyTo(ms);
                entries.Add((e.FullName, ms.ToArray()));
            }
        File.Delete(path);
        using ZipArchive output = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, data) in entries)
        {
            byte[]? bytes = name == entry ? change(data) : data;
            if (bytes is null) continue;
            using Stream s = output.CreateEntry(name).Open();
            s.Write(bytes);
        }
    }

    private static void RewriteConfig(string path, Action<JsonObject> change) =>
        Rewrite(path, "config.json", data =>
        {
            JsonObject config = JsonNode.Parse(data)!.AsObject();
            change(config);
            return Encoding.UTF8.GetBytes(config.ToJsonString());
        });

    [Fact]
    public void AMissingFileIsFileNotFound()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => Model.Load(dir.File("nothing.tanuki")));
        Assert.Contains("nothing.tanuki", e.Message);
        Assert.Throws<FileNotFoundException>(() => new Sequential(new Input(1), new Dense(1)).LoadWeights(dir.File("nothing.safetensors")));
    }

    [Fact]
    public void AFileThatIsNotAZipSaysSo()
    {
        using var dir = new TempDirectory();
        string path = dir.File("text.tanuki");
        File.WriteAllText(path, "this is not a model");
        LoadFails(path, "not a zip archive");
        File.WriteAllBytes(path, []);
        LoadFails(path, "not a zip archive");
    }

    [Fact]
    public void AZipWithoutConfigIsNotAModelFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("other.tanuki");
        using (ZipArchive zip = ZipFile.Open(path, ZipArchiveMode.Create))
            using (var w = new StreamWriter(zip.CreateEntry("readme.txt").Open())) w.Write("hello");
        LoadFails(path, "no config.json", "readme.txt");
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.95)]
    [InlineData(0.01)]
    public void ATruncatedFileSaysSo(double keep)
    {
        using var dir = new TempDirectory();
        string path = SavedModel(dir);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(int)(bytes.Length * keep)]);
        LoadFails(path);
    }

    [Fact]
    public void CorruptWeightBytesAreCaughtByTheArchiveChecksum()
    {
        using var dir = new TempDirectory();
        string path = SavedModel(dir);
        byte[] bytes = File.ReadAllBytes(path);
        int at = IndexOf(bytes, Encoding.ASCII.GetBytes("\"data_offsets\"")) + 600;   // inside the stored weights
        for (int i = 0; i < 16; i++) bytes[at + i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);
        LoadFails(path, "corrupt");
    }

    [Fact]
    public void CorruptCompressedConfigSaysSo()
    {
        using var dir = new TempDirectory();
        string path = SavedModel(dir);
        byte[] bytes = File.ReadAllBytes(path);
        int at = IndexOf(bytes, Encoding.ASCII.GetBytes("config.json")) + 40;        // inside the deflated config
        for (int i = 0; i < 8; i++) bytes[at + i] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        LoadFails(path);
    }

    [Fact]
    public void AnUnknownLayerTypeNamesTheTypeAndHowToRegisterIt()
    {
        using var dir = new TempDirectory();
        string path = SavedModel(dir);
        RewriteConfig(path, c => c["model"]!["config"]!["layers"]![0]!["class_name"] = "NoSuchLayer");
        LoadFails(path, "NoSuchLayer", "bf_dense", "LayerRegistry.Register");
    }

    [Fact]
    public void AConfigThatIsNotJsonOrLacksPartsSaysSo()
    {
        using var dir = new TempDirectory();
        string path = SavedModel(dir, "a.tanuki");
        Rewrite(path, "config.json", _ => Encoding.UTF8.GetBytes("{ not json"));
        LoadFails(path, "config.json is not valid JSON");

        path = SavedModel(dir, "b.tanuki");
        RewriteConfig(path, c => c.Remove("model"));
        LoadFails(path, "config.json is malformed", "\"model\"");

        path = SavedModel(dir, "c.tanuki");
        RewriteConfig(path, c => c["model"]!["config"]!["layers"]![0]!["config"]!["units"] = "many");
        LoadFails(path, "bf_dense", "units");

        path = SavedModel(dir, "d.tanuki");
        RewriteConfig(path, c => c["format_version"] = 99);
        LoadFails(path, "newer Tanuki");

        path = SavedModel(dir, "e.tanuki");
        RewriteConfig(path, c => c["model"]!["config"]!["input"]!["shape"] = new JsonArray(1_000_000_000));
        LoadFails(path, "bf_dense", "far more than the weights stored in the file");   // refused before allocating 256 GB
    }

    [Fact]
    public void MissingOrMismatchedWeightsSaySo()
    {
        using var dir = new TempDirectory();
        string path = SavedModel(dir, "a.tanuki");
        Rewrite(path, "model.safetensors", _ => null);
        LoadFails(path, "no model.safetensors");

        path = SavedModel(dir, "b.tanuki");
        RewriteConfig(path, c => c["model"]!["config"]!["layers"]![0]!["config"]!["units"] = 65);
        LoadFails(path, "bf_dense/kernel", "(4, 65)", "(4, 64)");

        path = SavedModel(dir, "c.tanuki");
        Rewrite(path, "model.safetensors", data => data[..(data.Length - 10)]);
        LoadFails(path, "model.safetensors", "truncated");
    }

    [Fact]
    public void AFailedSaveLeavesTheExistingFileAsItWas()
    {
        using var dir = new TempDirectory();
        string path = dir.File("keep.tanuki");
        File.WriteAllText(path, "precious");
        var model = new Sequential(new Input(2), [new Unregistered()]);
        var e = Assert.Throws<NotSupportedException>(() => model.Save(path));
        Assert.Contains("LayerRegistry.Register<Unregistered>", e.Message);
        Assert.Equal("precious", File.ReadAllText(path));

        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            throw new InvalidOperationException("disk full, say");
        }));
        Assert.Equal("precious", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));                  // no temporary file left behind
        Assert.Throws<IOException>(() => new Sequential(new Input(2), new Dense(1)).Save(dir.Path));
        Assert.Equal([path], Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void BadSafetensorsFilesSayWhatIsWrong()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(new Input(2), new Dense(1, name: "bst_dense"));
        string good = dir.File("good.safetensors");
        model.SaveWeights(good);
        byte[] bytes = File.ReadAllBytes(good);
        int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, n);

        void Fails(byte[] file, params string[] expected)
        {
            string path = dir.File($"bad{Guid.NewGuid():N}.safetensors");
            File.WriteAllBytes(path, file);
            var e = Assert.Throws<ModelFileException>(() => SafeTensors.Load(path));
            Assert.Equal(path, e.FilePath);
            foreach (string s in expected) Assert.Contains(s, e.Message);
            Assert.Throws<ModelFileException>(() => model.LoadWeights(path));
        }
        byte[] WithHeader(string h)
        {
            byte[] text = Encoding.UTF8.GetBytes(h);
            var file = new byte[8 + text.Length + bytes.Length - 8 - n];
            BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)text.Length);
            text.CopyTo(file, 8);
            bytes.AsSpan(8 + n).CopyTo(file.AsSpan(8 + text.Length));
            return file;
        }

        Fails(bytes[..4], "too short");
        Fails(bytes[..(8 + n / 2)], "truncated");
        Fails(bytes[..^3], "truncated");
        Fails([.. bytes, 0, 0], "use only");
        byte[] huge = (byte[])bytes.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue / 2);
        Fails(huge, "not a safetensors file");
        Fails(WithHeader("{\"bst_dense/kernel\": oops}"), "not valid JSON");
        Fails(WithHeader("[1, 2]"), "not a JSON object");
        Fails(WithHeader(header.Replace("\"F32\"", "\"Q7\"")), "\"Q7\"");
        Fails(WithHeader(header.Replace("\"shape\":[2,1]", "\"shape\":[3,1]")), "bst_dense/kernel", "needs 12 bytes");
        Fails(WithHeader(header.Replace("[8,12]", "[9,13]")), "contiguous");
        Fails(WithHeader(header.Replace("\"data_offsets\":[0,8]", "\"data_offsets\":[8]")), "data_offsets");
        Fails(WithHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}"), "twice");
    }

    [Fact]
    public void RandomDamageNeverGivesAnythingButAClearError()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(new Input(3), [new Dense(4, name: "fz_dense"), new BatchNormalization(name: "fz_bn")], "fz_model");
        string weights = dir.File("w.safetensors"), whole = dir.File("m.tanuki");
        model.SaveWeights(weights);
        model.Save(whole);
        var random = new Random(1234);
        foreach (string original in new[] { weights, whole })
        {
            byte[] bytes = File.ReadAllBytes(original);
            int headerEnd = original == weights ? 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes) : bytes.Length;
            for (int trial = 0; trial < 150; trial++)
            {
                byte[] damaged = (byte[])bytes.Clone();
                if (trial % 3 == 0) damaged = damaged[..random.Next(damaged.Length)];
                else
                    for (int k = 0; k < 1 + trial % 4; k++) damaged[random.Next(headerEnd)] = (byte)random.Next(256);
                string path = dir.File($"damaged{trial}{Path.GetExtension(original)}");
                File.WriteAllBytes(path, damaged);
                try
                {
                    if (original == weights) SafeTensors.Load(path).Dispose();
                    else Model.Load(path);
                }
                catch (ModelFileException e)
                {
                    Assert.Equal(path, e.FilePath);
                }
                File.Delete(path);
            }
        }
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("not found");
    }

    private sealed class Unregistered : Layer
    {
        protected override Tensor Forward(Tensor inputs, bool training) => inputs;
    }
}
