using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tanuki.Saving;

/// <summary>
/// Rebuilds a model from the <c>config.json</c> that <see cref="ModelConfigWriter"/> wrote: layers through the
/// <see cref="LayerRegistry"/>, functional graphs by replaying their layer calls (with their fixed training flags),
/// nested models inside their entries. Anything missing or ill-typed is a <see cref="ModelFileException"/> naming the file.
/// </summary>
internal sealed class ModelConfigReader(string source)
{
    private readonly List<(Layer Layer, long[][] Shapes)> _toBuild = new();

    public Model Read(JsonObject document)
    {
        long version = Long(document["format_version"], "format_version");
        if (version > ModelConfigWriter.FormatVersion)
            throw Corrupt($"it was saved by a newer Tanuki (config format {version}); this version reads format {ModelConfigWriter.FormatVersion} and older. Update Tanuki to load it", prefix: false);
        JsonObject entry = Obj(document["model"], "\"model\"");
        Model model = ReadEntry(entry) as Model ?? throw Corrupt("\"model\" is not a Sequential or Functional model");
        // Outer models first, as Keras builds them: a Sequential builds its layers itself, so their weights get the same
        // paths (sequential/dense/kernel) as in the model that was saved.
        foreach (var (layer, shapes) in Enumerable.Reverse(_toBuild))
            if (!layer.Built) Guarded($"building layer '{layer.Name}'", () => layer.Build(shapes));

        // Flags go top-down: setting a layer's Trainable sets its sublayers', which then get their own.
        model.Trainable = Bool(Obj(entry["config"], "the model's config")["trainable"], "the model's \"trainable\"");
        var frozen = new HashSet<string>(Arr(document["frozen_layers"], "\"frozen_layers\"").Select(n => Str(n, "a frozen layer path")));
        foreach (var (path, layer) in LayerTree.Layers(model)) layer.Trainable = !frozen.Contains(path);
        return model;
    }

    /// <summary>Sets each weight's own trainable flag (moving statistics and weights frozen one by one).</summary>
    public void ApplyWeightFlags(Model model, JsonObject document)
    {
        var fixedWeights = new HashSet<string>(Arr(document["non_trainable_weights"], "\"non_trainable_weights\"").Select(n => Str(n, "a weight name")));
        foreach (var (name, variable) in LayerTree.Weights(model)) variable.Trainable = !fixedWeights.Contains(name);
    }

    private Layer ReadEntry(JsonObject entry)
    {
        string type = Str(entry["class_name"], "a layer's \"class_name\"");
        JsonObject config = Obj(entry["config"], $"the config of a {type} layer");
        Layer layer = type switch
        {
            "Sequential" => ReadSequential(config),
            "Functional" => ReadFunctional(config),
            "InputLayer" => throw Corrupt("an InputLayer appears outside the layer list of a functional model"),
            _ => ReadLayer(type, config),
        };
        if (entry["build_input_shapes"] is JsonNode shapes)
            _toBuild.Add((layer, Arr(shapes, $"the build shapes of '{layer.Name}'").Select(s => Longs(s, $"a build shape of '{layer.Name}'")).ToArray()));
        return layer;
    }

    private Layer ReadLayer(string type, JsonObject config)
    {
        string name = config["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "?";
        try
        {
            return LayerRegistry.FromConfig(type, ConfigJson.FromJson(config));
        }
        catch (Exception e) when (e is not ModelFileException)
        {
            throw new ModelFileException(source, $"config.json: cannot rebuild layer '{name}' of type {type}: {e.Message}", e);
        }
    }

    private Sequential ReadSequential(JsonObject config)
    {
        string name = Str(config["name"], "a Sequential's \"name\"");
        Input? input = null;
        if (config["input"] is JsonNode i)
        {
            JsonObject io = Obj(i, $"the input of '{name}'");
            input = Guarded($"making the input of '{name}'", () => new Input(Longs(io["shape"], $"the input shape of '{name}'"), Str(io["name"], $"the input name of '{name}'")));
        }
        var layers = Arr(config["layers"], $"the layers of '{name}'").Select(l => ReadEntry(Obj(l, $"a layer of '{name}'"))).ToList();
        return Guarded($"making Sequential '{name}'", () => new Sequential(input, layers, name));
    }

    private Model ReadFunctional(JsonObject config)
    {
        string name = Str(config["name"], "a functional model's \"name\"");
        var inputs = new Dictionary<string, Input>();
        var layers = new List<(Layer Layer, JsonArray Nodes)>();
        var names = new HashSet<string>();
        foreach (JsonNode? item in Arr(config["layers"], $"the layers of '{name}'"))
        {
            JsonObject entry = Obj(item, $"a layer of '{name}'");
            if (Str(entry["class_name"], "a layer's \"class_name\"") == "InputLayer")
            {
                JsonObject c = Obj(entry["config"], "an InputLayer's config");
                string inputName = Str(c["name"], "an InputLayer's name");
                if (!names.Add(inputName)) throw Corrupt($"model '{name}' has two layers named '{inputName}'");
                inputs[inputName] = Guarded($"making input '{inputName}'", () => new Input(Longs(c["shape"], $"the shape of '{inputName}'"), inputName));
                continue;
            }
            Layer layer = ReadEntry(entry);
            if (!names.Add(layer.Name)) throw Corrupt($"model '{name}' has two layers named '{layer.Name}'");
            layers.Add((layer, entry["inbound_nodes"] is JsonNode n ? Arr(n, $"the calls of '{layer.Name}'") : []));
        }

        // Replay the calls: a call is made once every tensor it takes exists (the saved order need not be topological).
        var outputs = layers.ToDictionary(l => l.Layer.Name, _ => new List<SymbolicTensor[]>());
        SymbolicTensor? Resolve(JsonNode? reference)
        {
            JsonArray r = Arr(reference, "a tensor reference");
            if (r.Count != 3) throw Corrupt($"a tensor reference in '{name}' is not [layer, call, output]: {r.ToJsonString()}");
            string layer = Str(r[0], "a tensor reference's layer");
            long call = Long(r[1], "a tensor reference's call index"), output = Long(r[2], "a tensor reference's output index");
            if (inputs.TryGetValue(layer, out Input? input)) return input;
            if (!outputs.TryGetValue(layer, out var calls)) throw Corrupt($"model '{name}' refers to a layer '{layer}' it does not have");
            if (call < 0) throw Corrupt($"model '{name}' refers to call {call} of '{layer}'");
            if (call >= calls.Count) return null;
            if (output < 0 || output >= calls[(int)call].Length) throw Corrupt($"model '{name}' refers to output {output} of '{layer}', which has {calls[(int)call].Length}");
            return calls[(int)call][output];
        }
        var done = new int[layers.Count];
        for (bool progress = true; progress;)
        {
            progress = false;
            for (int i = 0; i < layers.Count; i++)
            {
                var (layer, nodes) = layers[i];
                while (done[i] < nodes.Count)
                {
                    JsonObject node = Obj(nodes[done[i]], $"a call of '{layer.Name}'");
                    SymbolicTensor?[] args = Arr(node["args"], $"the inputs of a call of '{layer.Name}'").Select(Resolve).ToArray();
                    if (args.Any(a => a is null)) break;
                    bool? training = node["training"] is JsonNode t ? Bool(t, $"the training flag of a call of '{layer.Name}'") : null;
                    outputs[layer.Name].Add(Guarded($"calling layer '{layer.Name}'", () => layer.Call(args!, training)));
                    done[i]++;
                    progress = true;
                }
            }
        }
        for (int i = 0; i < layers.Count; i++)
            if (done[i] < layers[i].Nodes.Count)
                throw Corrupt($"call {done[i]} of layer '{layers[i].Layer.Name}' in '{name}' takes tensors no call makes");
        SymbolicTensor Required(JsonNode? r) => Resolve(r) ?? throw Corrupt($"model '{name}' names a tensor no call makes: {r?.ToJsonString()}");
        var modelInputs = Arr(config["input_layers"], $"the inputs of '{name}'").Select(Required).ToArray();
        var modelOutputs = Arr(config["output_layers"], $"the outputs of '{name}'").Select(Required).ToArray();
        return Guarded($"making model '{name}'", () => new Model(modelInputs, modelOutputs, name));
    }

    private T Guarded<T>(string what, Func<T> make)
    {
        try { return make(); }
        catch (Exception e) when (e is not ModelFileException)
        {
            // Whatever a layer throws on a config it cannot take (an allocation libtorch refuses, say) is the file's fault.
            throw new ModelFileException(source, $"config.json: {what} failed: {e.Message}", e);
        }
    }

    private void Guarded(string what, Action act) => Guarded(what, () => { act(); return 0; });

    private ModelFileException Corrupt(string problem, bool prefix = true) =>
        new(source, prefix ? $"config.json is malformed: {problem}. The file is corrupt, or was not written by Tanuki." : problem + ".");

    private JsonObject Obj(JsonNode? n, string what) => n as JsonObject ?? throw Corrupt($"{what} is not a JSON object");
    private JsonArray Arr(JsonNode? n, string what) => n as JsonArray ?? throw Corrupt($"{what} is not a JSON array");

    private string Str(JsonNode? n, string what) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Corrupt($"{what} is not a string");

    private bool Bool(JsonNode? n, string what) => n is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
        ? v.GetValueKind() == JsonValueKind.True
        : throw Corrupt($"{what} is not true or false");

    private long Long(JsonNode? n, string what) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out long l) ? l : throw Corrupt($"{what} is not an integer");

    private long[] Longs(JsonNode? n, string what) => Arr(n, what).Select(d => Long(d, what)).ToArray();
}
