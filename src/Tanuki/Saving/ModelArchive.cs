using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace Tanuki.Saving;

/// <summary>
/// The <c>.tanuki</c> file: a zip holding <c>metadata.json</c> (Tanuki version, date, class names),
/// <c>config.json</c> (the architecture) and <c>model.safetensors</c> (the weights, stored uncompressed).
/// </summary>
internal static class ModelArchive
{
    public const string ConfigEntry = "config.json";
    public const string MetadataEntry = "metadata.json";
    public const string WeightsEntry = "model.safetensors";

    public static void Save(Model model, string path, bool includeOptimizer = false)
    {
        LayerTree.CheckSavable(model);
        if (model.ClassNames is { } classNames && ClassNamesMismatch(model, classNames.Count) is string problem)
            throw new InvalidOperationException($"Model '{model.Name}': ClassNames {problem}, so the file would name its predictions wrongly. " +
                                                "Set ClassNames to one name per output before saving.");
        JsonObject config = ModelConfigWriter.Write(model);
        var weights = WeightPairs(model);
        var metadata = new JsonObject
        {
            ["tanuki_version"] = TanukiInfo.Version,
            ["date_saved"] = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["class_names"] = model.ClassNames is { } names ? new JsonArray(names.Select(n => (JsonNode?)n).ToArray()) : null,
        };
        if (model.TestTimeAugmentation != TestTimeAugmentation.None) metadata["test_time_augmentation"] = Snake(model.TestTimeAugmentation.ToString());
        if (model.ImageResize is Data.ResizeMode resize) metadata["image_resize"] = Snake(resize.ToString());
        if (model.CompletedEpochs > 0) metadata["epoch"] = model.CompletedEpochs;
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteJson(zip, MetadataEntry, metadata);
            WriteJson(zip, ConfigEntry, config);
            using (Stream w = zip.CreateEntry(WeightsEntry, CompressionLevel.NoCompression).Open())
                SafeTensors.Write(w, weights, WeightsMetadata);
            if (includeOptimizer && model.Optimizer is not null) OptimizerCheckpoint.Write(zip, model, model.Optimizer);
        });
    }

    public static Model Load(string path)
    {
        using ZipArchive zip = Open(path);
        try
        {
            JsonObject config = ReadJson(zip, ConfigEntry, path) ?? throw new ModelFileException(path,
                $"the archive has no {ConfigEntry}, so it is not a Tanuki model file (it holds: {string.Join(", ", zip.Entries.Select(e => e.FullName))}).");
            JsonObject? metadata = ReadJson(zip, MetadataEntry, path);
            using SafeTensorsFile weights = ReadWeights(zip, path);
            var reader = new ModelConfigReader(path);
            Model model;
            // A correct config makes exactly the stored weights; the slack lets a small mismatch reach the detailed report below.
            long stored = weights.Tensors.Values.Sum(t => t.NumberOfElements);
            using (WeightBudget.Limit(2 * stored + (1L << 24))) model = reader.Read(config);
            Assign(model, weights, path);
            reader.ApplyWeightFlags(model, config);
            if (metadata?["class_names"] is JsonArray names)
            {
                string[] classNames = names.Select(n => n is JsonValue v && v.GetValueKind() == JsonValueKind.String
                    ? v.GetValue<string>()
                    : throw new ModelFileException(path, $"{MetadataEntry}: class_names holds something other than strings.")).ToArray();
                if (ClassNamesMismatch(model, classNames.Length) is string problem)
                    throw new ModelFileException(path, $"{MetadataEntry} {problem}: the names do not belong to this model (the file was edited or damaged). " +
                                                       "Save the model again with ClassNames set to one name per output.");
                model.ClassNames = classNames;
            }
            model.TestTimeAugmentation = ReadEnum(metadata, "test_time_augmentation", TestTimeAugmentation.None, path);
            if (metadata?["image_resize"] is not null) model.ImageResize = ReadEnum(metadata, "image_resize", Data.ResizeMode.Squash, path);
            if (metadata?["epoch"] is JsonNode epoch)
                model.CompletedEpochs = epoch is JsonValue ev && ev.TryGetValue(out int e) && e >= 0 ? e
                    : throw new ModelFileException(path, $"{MetadataEntry}: epoch is {epoch.ToJsonString()}; expected a non-negative whole number.");
            if (ReadJson(zip, OptimizerCheckpoint.ConfigEntry, path) is JsonObject optimizer)
            {
                using SafeTensorsFile? state = zip.GetEntry(OptimizerCheckpoint.StateEntry) is null ? null : ReadTensors(zip, OptimizerCheckpoint.StateEntry, path);
                model.SavedOptimizer = OptimizerCheckpoint.Read(optimizer, state, model, path);
            }
            return model;
        }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(path, $"the archive is corrupt ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Why <paramref name="count"/> class names cannot name the outputs of <paramref name="model"/> (one per class, or
    /// one sigmoid output for two classes); null when they can, or when the output width is not known.
    /// </summary>
    private static string? ClassNamesMismatch(Model model, int count)
    {
        long outputs = model.Outputs.Count == 1 && model.Outputs[0].Shape.Length >= 2 ? model.Outputs[0].Shape[^1] : -1;
        if (outputs <= 0 || outputs == count || (outputs == 1 && count == 2)) return null;
        return $"lists {count} class names, but the model has {outputs} outputs, one per class";
    }

    /// <summary>PascalCase enum names as the snake_case strings of the file.</summary>
    private static string Snake(string name) => string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static T ReadEnum<T>(JsonObject? metadata, string key, T absent, string path) where T : struct, Enum
    {
        if (metadata?[key] is not JsonNode node) return absent;
        string? text = node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        foreach (T value in Enum.GetValues<T>())
            if (Snake(value.ToString()) == text) return value;
        throw new ModelFileException(path, $"{MetadataEntry}: {key} is {node.ToJsonString()}; expected one of {string.Join(", ", Enum.GetValues<T>().Select(e => $"\"{Snake(e.ToString())}\""))}.");
    }

    /// <summary>The weights of a <c>.tanuki</c> file (for <c>LoadWeights</c>).</summary>
    public static SafeTensorsFile ReadWeights(string path)
    {
        using ZipArchive zip = Open(path);
        try { return ReadWeights(zip, path); }
        catch (InvalidDataException e)
        {
            throw new ModelFileException(path, $"the archive is corrupt ({e.Message}).", e);
        }
    }

    public static IReadOnlyDictionary<string, string> WeightsMetadata { get; } =
        new Dictionary<string, string> { ["format"] = "tanuki", ["tanuki_version"] = TanukiInfo.Version };

    public static List<KeyValuePair<string, Tensor>> WeightPairs(Layer model) =>
        LayerTree.Weights(model).Select(w => KeyValuePair.Create(w.Name, w.Variable.Value)).ToList();

    /// <summary>
    /// Copies the file's tensors into the model's weights, matched by name. Nothing is assigned unless every weight
    /// has a tensor of its shape and the file has no other tensors; otherwise the error lists what is missing,
    /// unexpected and of the wrong shape.
    /// </summary>
    public static void Assign(Layer model, SafeTensorsFile file, string path)
    {
        var weights = LayerTree.Weights(model);
        var expected = weights.Select(w => w.Name).ToHashSet();
        var missing = weights.Where(w => !file.Tensors.ContainsKey(w.Name)).Select(w => w.Name).ToList();
        var unexpected = file.Entries.Where(e => !expected.Contains(e.Name)).Select(e => e.Name).ToList();
        var mismatched = weights.Where(w => file.Tensors.TryGetValue(w.Name, out Tensor? t) && !t.shape.SequenceEqual(w.Variable.Shape))
            .Select(w => $"\"{w.Name}\": the model's weight has shape {Shapes.Format(w.Variable.Shape)}, the file's tensor {Shapes.Format(file.Tensors[w.Name].shape)}")
            .ToList();
        if (missing.Count + unexpected.Count + mismatched.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"missing from the file ({missing.Count}): {List(missing)}");
            if (unexpected.Count > 0) parts.Add($"in the file but not in the model ({unexpected.Count}): {List(unexpected)}");
            if (mismatched.Count > 0) parts.Add($"shape mismatches ({mismatched.Count}): {List(mismatched, "; ")}");
            if (missing.Count > 0 && missing.Count == unexpected.Count)
                parts.Add("if only the layer names differ: default names such as dense_3 depend on how many layers of that type were made " +
                          "before in this process, so give layers explicit names (name: \"...\"), or save and load the whole model with Save and Model.Load");
            throw new ModelFileException(path,
                $"the weights do not match model '{model.Name}' ({weights.Count} weights, named by layer path such as \"{weights.FirstOrDefault().Name ?? "dense/kernel"}\"); " +
                string.Join("; ", parts) + ". No weight was changed.");
        }
        foreach (var (name, variable) in weights) variable.Assign(file.Tensors[name]);
    }

    private static string List(List<string> items, string separator = ", ") =>
        items.Count <= 50 ? string.Join(separator, items) : string.Join(separator, items.Take(50)) + $"{separator}... and {items.Count - 50} more";

    private static ZipArchive Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"No model file at '{path}'.", path);
        FileStream stream = File.OpenRead(path);
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch (InvalidDataException e)
        {
            stream.Dispose();
            throw new ModelFileException(path, $"this is not a .tanuki model file: it is not a zip archive, or it is truncated ({e.Message}).", e);
        }
    }

    private static SafeTensorsFile ReadWeights(ZipArchive zip, string path) => ReadTensors(zip, WeightsEntry, path);

    private static SafeTensorsFile ReadTensors(ZipArchive zip, string name, string path)
    {
        ZipArchiveEntry entry = zip.GetEntry(name)
            ?? throw new ModelFileException(path, $"the archive has no {name}: the model's weights are missing.");
        using var s = new ChecksumStream(entry.Open());
        SafeTensorsFile file;
        try { file = SafeTensors.Read(s, entry.Length, path); }
        catch (ModelFileException e) { throw new ModelFileException(path, $"{name}: {e.Problem}", e); }
        if (!s.Matches(entry.Crc32))
        {
            file.Dispose();
            throw Corrupt(path, name);
        }
        return file;
    }

    private static void WriteJson(ZipArchive zip, string name, JsonObject json)
    {
        using Stream s = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
        using var writer = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true });
        json.WriteTo(writer);
    }

    private static JsonObject? ReadJson(ZipArchive zip, string name, string path)
    {
        ZipArchiveEntry? entry = zip.GetEntry(name);
        if (entry is null) return null;
        long limit = Model.MaxConfigBytes;
        // The declared size is checked first and the bytes read are capped too, since a crafted archive can lie about it:
        // a few kilobytes of deflate expand to gigabytes.
        if (entry.Length > limit) throw TooLarge(path, name, entry.Length, limit);
        var bytes = new MemoryStream();
        using (var s = new ChecksumStream(entry.Open()))
        {
            var buffer = new byte[81920];
            int n;
            while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (bytes.Length + n > limit) throw TooLarge(path, name, null, limit);
                bytes.Write(buffer, 0, n);
            }
            if (!s.Matches(entry.Crc32)) throw Corrupt(path, name);
        }
        if (!System.Text.Unicode.Utf8.IsValid(bytes.ToArray())) throw new ModelFileException(path, $"{name} is not valid UTF-8 text: the file is corrupt.");
        try
        {
            return JsonNode.Parse(bytes.ToArray()) as JsonObject ?? throw new ModelFileException(path, $"{name} is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new ModelFileException(path, $"{name} is not valid JSON ({e.Message}): the file is corrupt.", e);
        }
    }

    private static ModelFileException TooLarge(string path, string entry, long? declared, long limit) =>
        new(path, $"{entry} {(declared is long d ? $"declares {d:N0} bytes" : "expands beyond what it declares")}, more than the {limit:N0} bytes " +
                  "(Model.MaxConfigBytes) a model's description may take; real models need well under a megabyte, so the file is damaged or " +
                  "crafted. It was refused before reading it. If you trust the file, raise Model.MaxConfigBytes.");

    private static ModelFileException Corrupt(string path, string entry) =>
        new(path, $"the archive is corrupt: the bytes of {entry} do not match their checksum.");
}
