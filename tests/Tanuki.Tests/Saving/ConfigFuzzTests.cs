using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Tanuki.Layers;
using Tanuki.Saving;
using Tanuki.Tests.Models;

namespace Tanuki.Tests.Saving;

/// <summary>
/// Configs damaged at random but stored with valid checksums (the hardest case: the archive looks fine) must load or
/// fail with a <see cref="ModelFileException"/>, never with another exception or a dead process. Seeded, so it repeats.
/// </summary>
public class ConfigFuzzTests
{
    [Fact]
    public void RandomEditsOfTheConfigLoadOrFailClearly()
    {
        using var dir = new TempDirectory();
        var x = new Input([3], "cf_in");
        var b = new Input([4], "cf_b");
        var inner = new Sequential(new Input(4), [new BatchNormalization(name: "cf_bn"), new Dropout(0.1, name: "cf_drop"), new ReLU(maxValue: 3, name: "cf_relu")], "cf_inner");
        var h = new Dense(4, activation: "relu", name: "cf_dense").Call(x);
        var sum = new PairSum("cf_sum").Call([inner.Call(h, training: false), b])[0];
        var model = new Model([x, b], [new Dense(2, name: "cf_out").Call(sum), new Flatten(name: "cf_flat").Call(sum)], "cf_model");
        string original = dir.File("m.tanuki");
        model.Save(original);
        string configText;
        using (ZipArchive zip = ZipFile.OpenRead(original))
        using (var r = new StreamReader(zip.GetEntry("config.json")!.Open())) configText = r.ReadToEnd();

        var random = new Random(11);
        JsonNode?[] values = [-1, 0, 1, 2, 1_000_000_000, 1L << 40, 0.5, -1e300, "x", "Dense", "Functional", true, false, null,
                              new JsonArray(), new JsonObject(), new JsonArray(1, 2), new JsonArray("cf_in", 0, 0), new JsonArray("cf_dense", 1, 0)];
        for (int trial = 0; trial < 300; trial++)
        {
            JsonNode root = JsonNode.Parse(configText)!;
            var slots = new List<(JsonNode Parent, object Key)>();
            void Walk(JsonNode? n)
            {
                if (n is JsonObject o)
                    foreach (var kv in o.ToList()) { slots.Add((o, kv.Key)); Walk(kv.Value); }
                else if (n is JsonArray a)
                    for (int i = 0; i < a.Count; i++) { slots.Add((a, i)); Walk(a[i]); }
            }
            Walk(root);
            for (int k = 0; k < 1 + trial % 2; k++)
            {
                var (parent, key) = slots[random.Next(slots.Count)];
                if (parent != root && parent.Parent is null) continue;      // detached by an earlier edit
                JsonNode? value = values[random.Next(values.Length)]?.DeepClone();
                if (parent is JsonObject o)
                {
                    if (random.Next(5) == 0) o.Remove((string)key);
                    else o[(string)key] = value;
                }
                else ((JsonArray)parent)[(int)key] = value;
            }
            string path = dir.File($"c{trial}.tanuki");
            File.Copy(original, path);
            BadFileTests.Rewrite(path, "config.json", _ => Encoding.UTF8.GetBytes(root.ToJsonString()));
            try { Model.Load(path); }
            catch (ModelFileException e) { Assert.Equal(path, e.FilePath); }
            File.Delete(path);
        }
    }
}
