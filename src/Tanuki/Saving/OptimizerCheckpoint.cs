using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.Saving;

/// <summary>
/// The optimizer's state in a <c>.tanuki</c> file, for resuming training: <c>optimizer.json</c> (its Keras name, the
/// iteration count, each variable's update count) and <c>optimizer.safetensors</c> (each variable's slots, named
/// <c>{weight name}:{slot index}</c> — Adam's first and second moments, SGD's momentum, ...). Files without them (saved
/// with <c>includeOptimizer: false</c>, with no optimizer state yet, or by earlier versions) load the same as before.
/// A loaded checkpoint waits on the model until the first <c>Compile</c> with an optimizer of the same kind that has no
/// state yet, which takes it (see <see cref="Model.Load"/>).
/// </summary>
internal sealed class OptimizerCheckpoint : IDisposable
{
    public const string ConfigEntry = "optimizer.json";
    public const string StateEntry = "optimizer.safetensors";

    private OptimizerCheckpoint(string name, long iterations, List<(Variable, long, Tensor[])> slots)
    {
        Name = name;
        Iterations = iterations;
        Slots = slots;
    }

    /// <summary>The optimizer's Keras name (<c>adam</c>, <c>sgd</c>, ...).</summary>
    public string Name { get; }

    public long Iterations { get; }

    public List<(Variable Variable, long Steps, Tensor[] Slots)> Slots { get; }

    /// <summary>Writes the optimizer's state into the archive (nothing when it has none yet).</summary>
    public static void Write(ZipArchive zip, Model model, Optimizer optimizer)
    {
        var (iterations, slots) = optimizer.ExportState();
        if (iterations == 0 && slots.Count == 0) return;
        Dictionary<Variable, string> names = LayerTree.Weights(model).ToDictionary(w => w.Variable, w => w.Name);
        var variables = new JsonObject();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (v, steps, state) in slots)
        {
            if (!names.TryGetValue(v, out string? name)) continue;   // state of a variable that is no longer in the model
            variables[name] = new JsonObject { ["steps"] = steps, ["slots"] = state.Length };
            for (int i = 0; i < state.Length; i++) tensors.Add(KeyValuePair.Create(name + ":" + i.ToString(CultureInfo.InvariantCulture), state[i]));
        }
        var config = new JsonObject
        {
            ["name"] = optimizer.Name, ["iterations"] = iterations, ["learning_rate"] = optimizer.LearningRate, ["variables"] = variables,
        };
        using (Stream s = zip.CreateEntry(ConfigEntry, CompressionLevel.Optimal).Open())
        using (var writer = new Utf8JsonWriter(s, new JsonWriterOptions { Indented = true }))
            config.WriteTo(writer);
        using Stream w = zip.CreateEntry(StateEntry, CompressionLevel.NoCompression).Open();
        SafeTensors.Write(w, tensors, ModelArchive.WeightsMetadata);
    }

    /// <summary>Reads the state saved with <paramref name="model"/>'s weights; null when the file has none.</summary>
    public static OptimizerCheckpoint? Read(JsonObject? config, SafeTensorsFile? state, Model model, string path)
    {
        if (config is null) return null;
        if (state is null) throw new ModelFileException(path, $"the archive has {ConfigEntry} but no {StateEntry}: the optimizer's state is missing.");
        try
        {
            string name = config["name"]!.GetValue<string>();
            long iterations = config["iterations"]!.GetValue<long>();
            Dictionary<string, Variable> variables = LayerTree.Weights(model).ToDictionary(w => w.Name, w => w.Variable);
            var slots = new List<(Variable, long, Tensor[])>();
            foreach (var (weight, node) in config["variables"]!.AsObject())
            {
                if (!variables.TryGetValue(weight, out Variable? v))
                    throw new ModelFileException(path, $"{ConfigEntry} holds state for \"{weight}\", which is not a weight of the model.");
                int count = node!["slots"]!.GetValue<int>();
                var tensors = new Tensor[count];
                for (int i = 0; i < count; i++)
                {
                    string key = weight + ":" + i.ToString(CultureInfo.InvariantCulture);
                    tensors[i] = state.Tensors.TryGetValue(key, out Tensor? t) ? t.clone()
                        : throw new ModelFileException(path, $"{StateEntry} has no tensor \"{key}\", which {ConfigEntry} lists.");
                }
                slots.Add((v, node["steps"]!.GetValue<long>(), tensors));
            }
            return new OptimizerCheckpoint(name, iterations, slots);
        }
        catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException)
        {
            throw new ModelFileException(path, $"{ConfigEntry} is not a valid optimizer state ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Gives the state to <paramref name="optimizer"/> if it is of the saved kind and set-up (the same slots) and has none
    /// yet; whether it did.
    /// </summary>
    public bool TryRestore(Optimizer optimizer) =>
        optimizer.Name == Name && optimizer.Iterations == 0 && optimizer.TryImportState(Iterations, Slots);

    public void Dispose()
    {
        foreach (var (_, _, tensors) in Slots) foreach (Tensor t in tensors) t.Dispose();
        Slots.Clear();
    }
}
