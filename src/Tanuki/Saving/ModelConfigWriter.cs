using System.Text.Json.Nodes;
using Tanuki.Layers;

namespace Tanuki.Saving;

/// <summary>
/// Writes a model's architecture as <c>config.json</c>, in the shape of Keras's: each layer as
/// <c>{"class_name", "config"}</c>; a functional model lists its layers with their calls (<c>inbound_nodes</c>: the
/// tensors each call takes, as <c>[layer name, call index, output index]</c>, and the call's fixed <c>training</c>
/// flag), then its <c>input_layers</c> and <c>output_layers</c>; nested models are written inside their entry.
/// The document also lists frozen layers and non-trainable weights by path, so that loading restores every flag.
/// </summary>
internal static class ModelConfigWriter
{
    /// <summary>The version of the config layout written here; readers refuse newer ones.</summary>
    public const int FormatVersion = 1;

    public static JsonObject Write(Model model)
    {
        var frozen = LayerTree.Layers(model).Where(p => !p.Layer.Trainable).Select(p => p.Path).Distinct();
        var fixedWeights = LayerTree.Weights(model).Where(w => !w.Variable.Trainable).Select(w => w.Name);
        return new JsonObject
        {
            ["format_version"] = FormatVersion,
            ["model"] = Entry(model),
            ["frozen_layers"] = new JsonArray(frozen.Select(p => (JsonNode?)p).ToArray()),
            ["non_trainable_weights"] = new JsonArray(fixedWeights.Select(p => (JsonNode?)p).ToArray()),
        };
    }

    private static JsonObject Entry(Layer layer)
    {
        JsonObject entry;
        if (layer is Sequential s && s.GetType() == typeof(Sequential))
            entry = new JsonObject { ["class_name"] = "Sequential", ["config"] = SequentialConfig(s) };
        else if (layer is Model { FunctionalGraph: Graph graph } m && m.GetType() == typeof(Model))
            entry = new JsonObject { ["class_name"] = "Functional", ["config"] = FunctionalConfig(m, graph) };
        else
        {
            string type = LayerRegistry.GetTypeName(layer);
            Dictionary<string, object?> config = layer.GetConfig();
            if (!config.TryGetValue("name", out object? name) || name as string != layer.Name)
                throw new InvalidOperationException(
                    $"The config of layer '{layer.Name}' ({type}) has name={name ?? "null"}: GetConfig must include the layer's name (start from base.GetConfig()).");
            JsonObject json = ConfigJson.ToJson(config, $"Layer '{layer.Name}' ({type})");
            // Check now, while the model can still be fixed, that loading will take this config as it is written.
            if (LayerRegistry.RebuildProblem(type, ConfigJson.FromJson(JsonNode.Parse(json.ToJsonString())!.AsObject())) is string problem)
                throw new NotSupportedException($"Layer '{layer.Name}' ({type}) could not be rebuilt from its config as GetConfig returns it: {problem}");
            entry = new JsonObject { ["class_name"] = type, ["config"] = json };
        }
        if (layer.Built && layer.BuiltInputShapes is { } shapes)
            entry["build_input_shapes"] = new JsonArray(shapes.Select(Shape).ToArray());
        return entry;
    }

    private static JsonObject SequentialConfig(Sequential model)
    {
        var input = model.Inputs.Count > 0 ? (Input)model.Inputs[0] : null;
        return new JsonObject
        {
            ["name"] = model.Name,
            ["trainable"] = model.Trainable,
            ["input"] = input is null ? null : new JsonObject { ["name"] = input.Name, ["shape"] = Shape(input.SampleShape) },
            ["layers"] = new JsonArray(model.Layers.Select(l => (JsonNode?)Entry(l)).ToArray()),
        };
    }

    private static JsonObject FunctionalConfig(Model model, Graph graph)
    {
        // A layer's calls are numbered among the calls that belong to this model (a layer may also have been
        // called elsewhere), as Keras does.
        var own = new HashSet<Node>(graph.Nodes);
        var index = new Dictionary<Node, int>();
        foreach (Layer layer in graph.Layers)
        {
            int k = 0;
            foreach (Node n in layer.InboundNodes)
                if (own.Contains(n)) index[n] = k++;
        }
        JsonNode Ref(SymbolicTensor t) => t.Node is null
            ? new JsonArray(t.Name, 0, 0)
            : new JsonArray(t.Node.Layer.Name, index[t.Node], t.Index);

        var layers = new JsonArray();
        foreach (Layer layer in graph.Layers)
        {
            if (layer is InputLayer input)
            {
                layers.Add((JsonNode)new JsonObject   // the JsonNode overload: Add<T> would go through reflection (trimmed apps)
                {
                    ["class_name"] = "InputLayer",
                    ["config"] = new JsonObject { ["name"] = input.Name, ["shape"] = Shape(input.SampleShape) },
                });
                continue;
            }
            JsonObject entry = Entry(layer);
            entry["inbound_nodes"] = new JsonArray(layer.InboundNodes.Where(own.Contains).Select(n => (JsonNode?)new JsonObject
            {
                ["args"] = new JsonArray(n.Inputs.Select(Ref).ToArray()),
                ["training"] = n.Training,
            }).ToArray());
            layers.Add((JsonNode)entry);
        }
        return new JsonObject
        {
            ["name"] = model.Name,
            ["trainable"] = model.Trainable,
            ["layers"] = layers,
            ["input_layers"] = new JsonArray(graph.Inputs.Select(Ref).ToArray()),
            ["output_layers"] = new JsonArray(graph.Outputs.Select(Ref).ToArray()),
        };
    }

    private static JsonArray Shape(long[] shape) => new(shape.Select(d => (JsonNode?)d).ToArray());
}
