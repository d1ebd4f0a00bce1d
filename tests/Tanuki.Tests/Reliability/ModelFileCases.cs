using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;

namespace Tanuki.Tests.Reliability;

/// <summary>
/// Hostile model files given to <c>predict</c>, <c>evaluate</c> and <c>summary</c>: not models, damaged, edited, crafted to ask
/// for memory, or holding NaN. Each is refused with exit code 2 and a message that names the file and the problem,
/// before any image is read.
/// </summary>
[Collection(NonParallel.Name)]   // the command's Console is redirected
public class ModelFileCases
{
    private static string[] Predict(World w, string model) => ["predict", model, w.At("photos/circle.png")];

    /// <summary>Writes <c>bad.tanuki</c>, an edit of the world's model.</summary>
    private static Action<World> Bad(Func<byte[], byte[]> edit) => w => w.Write("bad.tanuki", edit(File.ReadAllBytes(w.Model)));

    private static Action<World> BadJson(string entry, Action<JsonObject> edit) => Bad(m => HostileFiles.EditJson(m, entry, edit));

    /// <summary>Every spatial size 32 in the config (the input and the layers' recorded input shapes) replaced by <paramref name="size"/>.</summary>
    private static void Resize(JsonObject config, long size)
    {
        foreach (JsonObject o in HostileFiles.Objects(config))
            foreach (string key in new[] { "shape", "build_input_shapes" })
                if (o[key] is JsonArray a) Replace(a, size);
    }

    private static void Replace(JsonArray a, long size)
    {
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i] is JsonArray inner) Replace(inner, size);
            else if (a[i] is JsonValue v && v.TryGetValue(out long n) && n == 32) a[i] = size;
        }
    }

    private static byte[] NanModel(byte[] model) => HostileFiles.EditModel(model, entries =>
    {
        // Every float32 weight becomes NaN (0x7FC00000), as a diverged training run leaves them; the header is kept.
        byte[] st = entries["model.safetensors"];
        long header = BitConverter.ToInt64(st, 0);
        for (long i = 8 + header; i + 3 < st.Length; i += 4) { st[i] = 0x00; st[i + 1] = 0x00; st[i + 2] = 0xC0; st[i + 3] = 0x7F; }
    });

    private static byte[] ConfigBomb(byte[] model) => HostileFiles.EditModel(model, entries =>
        entries["config.json"] = Encoding.UTF8.GetBytes("{\"padding\": \"" + new string(' ', 70 << 20) + "\"}"));

    private static CliCase Refused(string name, Func<World, string[]> args, Action<World>? arrange, params string[] words) => new(name, args, 2, words, arrange);

    internal static readonly CliCase[] Cases =
    [
        Refused("predict: the model file does not exist", w => Predict(w, w.At("nope.tanuki")), null, "does not exist", "tanuki train"),
        Refused("predict: the model is a folder", w => Predict(w, w.Data), null, "is a folder, not a model file"),
        Refused("predict: image and model swapped", w => ["predict", w.At("photos/circle.png"), w.Model], null, "is an image, not a model file", "comes before the images"),
        Refused("predict: a text file as the model", w => Predict(w, w.At("notes.tanuki")), w => w.Write("notes.tanuki", HostileFiles.Text()), "not a .tanuki model file", "not a zip"),
        Refused("predict: an empty model file", w => Predict(w, w.At("empty.tanuki")), w => w.Write("empty.tanuki", []), "empty.tanuki", "not a .tanuki model file"),
        Refused("predict: a truncated model file", w => Predict(w, w.At("bad.tanuki")), Bad(m => HostileFiles.Truncated(m, 0.5)), "bad.tanuki", "truncated"),
        Refused("predict: an ONNX file as the model", w => Predict(w, w.At("net.onnx")), w => w.Write("net.onnx", [0x08, 0x07, 0x12, 0x04, 0x74, 0x65, 0x73, 0x74]), "not a .tanuki model file"),
        Refused("predict: a zip that is not a model", w => Predict(w, w.At("bad.tanuki")), Bad(m => HostileFiles.EditModel(m, e => { e.Clear(); e["photo.txt"] = HostileFiles.Text(); })), "has no config.json", "photo.txt"),
        Refused("predict: no weights in the model", w => Predict(w, w.At("bad.tanuki")), Bad(m => HostileFiles.EditModel(m, e => e.Remove("model.safetensors"))), "has no model.safetensors"),
        Refused("predict: config.json is not JSON", w => Predict(w, w.At("bad.tanuki")), Bad(m => HostileFiles.EditModel(m, e => e["config.json"] = HostileFiles.Text())), "config.json is not valid JSON"),
        Refused("predict: config.json is not UTF-8", w => Predict(w, w.At("bad.tanuki")), Bad(m => HostileFiles.EditModel(m, e => e["config.json"] = [0xFF, 0xFE, 0x00, 0x7B])), "not valid UTF-8"),
        Refused("predict: config.json expands to 70 MB", w => Predict(w, w.At("bad.tanuki")), Bad(ConfigBomb), "config.json", "Model.MaxConfigBytes", "refused before reading"),
        Refused("predict: an unknown layer type", w => Predict(w, w.At("bad.tanuki")),
            BadJson("config.json", c => HostileFiles.Objects(c).First(o => o["class_name"]?.GetValue<string>() == "Dense")["class_name"] = "FancyDense"), "FancyDense"),
        Refused("predict: a layer asking for 10⁹ units", w => Predict(w, w.At("bad.tanuki")),
            BadJson("config.json", c => HostileFiles.Objects(c).First(o => o["units"] is not null)["units"] = 1_000_000_000), "far more than the weights stored in the file"),
        Refused("predict: an input of 30000×30000 declared in the file", w => Predict(w, w.At("bad.tanuki")), BadJson("config.json", c => Resize(c, 30000)),
            "declares an input of 30000×30000", "MaxImagePixels", "before any image was resized"),
        Refused("evaluate: an input of 9000×9000 declared in the file, in batches of 64", w => ["evaluate", w.At("bad.tanuki"), w.Data, "--batch-size", "64"],
            BadJson("config.json", c => Resize(c, 9000)), "needs about", "of memory", "free", "--batch-size"),
        Refused("predict: more class names than outputs", w => Predict(w, w.At("bad.tanuki")),
            BadJson("metadata.json", m => m["class_names"] = new JsonArray("a", "b", "c", "d", "e")), "lists 5 class names, but the model has 3 outputs"),
        Refused("predict: fewer class names than outputs", w => Predict(w, w.At("bad.tanuki")),
            BadJson("metadata.json", m => m["class_names"] = new JsonArray("only")), "lists 1 class names, but the model has 3 outputs"),
        Refused("predict: class names that are not strings", w => Predict(w, w.At("bad.tanuki")),
            BadJson("metadata.json", m => m["class_names"] = new JsonArray(1, 2, 3)), "class_names holds something other than strings"),
        Refused("predict: a weight with another shape", w => Predict(w, w.At("bad.tanuki")),
            BadJson("config.json", c => HostileFiles.Objects(c).First(o => o["filters"] is not null)["filters"] = 5), "shape"),
        Refused("predict: a corrupted weight byte", w => Predict(w, w.At("bad.tanuki")), w =>
        {
            // Flip one byte of the weights inside the zip (stored uncompressed): the checksum catches it.
            byte[] m = File.ReadAllBytes(w.Model);
            m[m.Length / 2] ^= 0x40;
            w.Write("bad.tanuki", m);
        }, "bad.tanuki"),
        Refused("predict: NaN weights", w => Predict(w, w.At("bad.tanuki")), Bad(NanModel), "NaN or infinite", "diverged", "lower learning rate"),
        Refused("evaluate: NaN weights", w => ["evaluate", w.At("bad.tanuki"), w.Data], Bad(NanModel), "NaN or infinite", "diverged"),
        new("summary: NaN weights are shown with a warning", w => ["summary", w.At("bad.tanuki")], 0, ["Total params", "warning", "NaN or infinite"], Bad(NanModel)),
        Refused("summary: a text file", w => ["summary", w.At("notes.tanuki")], w => w.Write("notes.tanuki", HostileFiles.Text()), "not a .tanuki model file"),
        Refused("evaluate: a model that does not take images", w => ["evaluate", w.At("dense.tanuki"), w.Data], w => w.Write("dense.tanuki", DenseModel()), "does not take fixed-size images"),
        new("predict: a model without class names says class 0..2", w => Predict(w, w.At("bad.tanuki")), 0, ["class 0", "class 1", "class 2"],
            BadJson("metadata.json", m => m.Remove("class_names"))),
        new("predict: a model file behind a symbolic link", w => Predict(w, w.At("link.tanuki")), 0, ["circle.png:"], w => w.Link("link.tanuki", w.Model)),
    ];

    private static byte[] DenseModel()
    {
        var input = new Input(4);
        var model = new Model(input, new Tanuki.Layers.Dense(2).Call(input));
        string path = Path.Combine(Path.GetTempPath(), $"dense-{Guid.NewGuid():N}.tanuki");
        model.Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    public static TheoryData<string> Names => CliCase.Names(Cases);

    [Theory]
    [MemberData(nameof(Names))]
    public void Case(string name) => CliCase.Run(Cases, name);

    /// <summary>The zip bomb is refused from its declared size, before a byte of it is inflated.</summary>
    [Fact]
    public void TheConfigBombIsNotInflated()
    {
        using var w = new World();
        byte[] bomb = ConfigBomb(File.ReadAllBytes(w.Model));
        Assert.True(bomb.Length < 1 << 20, $"the bomb is {bomb.Length} bytes");
        using (var zip = new ZipArchive(new MemoryStream(bomb))) Assert.True(zip.GetEntry("config.json")!.Length > 64 << 20);
        w.Write("bomb.tanuki", bomb);
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<Tanuki.Saving.ModelFileException>(() => Model.Load(w.At("bomb.tanuki")));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        Assert.Contains("Model.MaxConfigBytes", e.Message);
        Assert.True(allocated < 16 << 20, $"loading allocated {allocated >> 20} MiB");
    }
}
