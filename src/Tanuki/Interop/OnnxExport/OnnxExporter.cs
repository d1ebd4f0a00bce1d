using System.Text;
using System.Text.Json.Nodes;
using Tanuki.Interop.OnnxImport.Protos;
using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// Writes an <see cref="ExportPlan"/> (a model, or a part of it) as an ONNX <see cref="ModelProto"/>, in one pass: each
/// layer call becomes a few nodes, nested models are inlined, and a layer that cannot be written is recorded rather than
/// thrown at once, so that one error lists all of them. Nothing touches the disk here.
/// </summary>
internal sealed class OnnxExporter
{
    public const int MinOpset = 13;
    public const int MaxOpset = 17;

    private readonly OnnxGraphWriter _writer = new();
    private readonly List<string> _problems = new();
    private readonly int _opset;

    private OnnxExporter(int opset) => _opset = opset;

    /// <summary>The model as <paramref name="options"/> say: whole, cut at <see cref="OnnxExportOptions.Outputs"/>, with or without its preprocessing.</summary>
    public static ModelProto Export(Model model, OnnxExportOptions options)
    {
        ExportPlan plan;
        try { plan = ExportPlan.For(model); }
        catch (NotSupportedException e) { throw new NotSupportedException($"Cannot export model '{model.Name}' to ONNX: {e.Message}", e); }
        if (options.Outputs is { } outputs) plan = plan.EndingAt(outputs);
        if (!options.IncludePreprocessing) plan = plan.WithoutLeadingPreprocessing();
        IReadOnlyList<string>? classNames = options.ClassNames ?? (options.Outputs is null ? model.ClassNames : null);
        return Export(plan, options.Opset, options.IncludeSoftmax, classNames);
    }

    /// <summary>Writes a plan. The frozen-prefix inference engine builds its sessions from these.</summary>
    public static ModelProto Export(ExportPlan plan, int opset, bool includeSoftmax = false, IReadOnlyList<string>? classNames = null)
    {
        if (opset is < MinOpset or > MaxOpset)
            throw new ArgumentException($"Tanuki exports ONNX opsets {MinOpset} to {MaxOpset}. Received: opset={opset}", nameof(opset));
        if (includeSoftmax) CheckNoSoftmax(plan);
        var exporter = new OnnxExporter(opset);
        GraphProto graph = exporter._writer.Graph;
        graph.Name = plan.Model.Name;
        var values = new Dictionary<object, OnnxValue>();
        foreach (ExportPlan.InputValue input in plan.Inputs)
        {
            string name = exporter._writer.UniqueName(input.Name);
            values[input.Key] = new OnnxValue(name, input.Shape);
            graph.Input.Add(OnnxGraphWriter.FloatValue(name, input.Shape));
        }
        using (var scope = torch.NewDisposeScope())
        using (torch.no_grad())
            exporter.Run(plan.Steps, values, prefix: "");
        if (exporter._problems.Count > 0)
        {
            var message = new StringBuilder($"Cannot export model '{plan.Model.Name}' to ONNX; nothing was written. ");
            message.Append(exporter._problems.Count == 1 ? "One layer cannot be exported:" : $"{exporter._problems.Count} layers cannot be exported:");
            foreach (string p in exporter._problems) message.Append("\n  - ").Append(p);
            message.Append($"\nLayer types Tanuki exports: {string.Join(", ", LayerExporters.SupportedTypes)}, and models made of them. ");
            message.Append("If the unsupported part is at the end of the model, OnnxExportOptions.Outputs can end the export before it.");
            throw new NotSupportedException(message.ToString());
        }
        exporter.AddOutputs(plan.Outputs.Select(k => values[k]).ToArray(), includeSoftmax);
        TransposeFolding.Fold(graph);
        return MakeModel(graph, opset, includeSoftmax, classNames);
    }

    private void Run(IEnumerable<ExportPlan.Step> steps, Dictionary<object, OnnxValue> values, string prefix)
    {
        foreach (ExportPlan.Step step in steps)
        {
            OnnxValue[] outputs = Visit(step.Layer, step.Inputs.Select(k => values[k]).ToArray(), prefix);
            for (int k = 0; k < step.Outputs.Length; k++) values[step.Outputs[k]] = outputs[k];
        }
    }

    private OnnxValue[] Visit(Layer layer, OnnxValue[] inputs, string prefix)
    {
        if (layer is Model model) return Inline(model, inputs, prefix);
        IReadOnlyList<long[]> shapes = layer.ComputeOutputShape(inputs.Select(v => v.Shape).ToArray());
        if (!LayerExporters.TryGet(layer, out var export))
        {
            Problem(layer, prefix, $"Tanuki has no ONNX export for layers of type {layer.GetType().FullName}" +
                                   (layer.GetType().Assembly == typeof(Layer).Assembly ? "" : " (a custom layer)"));
            return Placeholders(shapes);
        }
        try
        {
            var call = new LayerExport(_writer, layer, prefix + layer.Name, inputs, _opset);
            return [new OnnxValue(call.Finish(export(call)), shapes[0])];
        }
        catch (NotSupportedException e)
        {
            Problem(layer, prefix, e.Message);
            return Placeholders(shapes);
        }
    }

    /// <summary>A nested model's layers, written in place with its name as a prefix; its inputs are the values it is called on.</summary>
    private OnnxValue[] Inline(Model model, OnnxValue[] inputs, string prefix)
    {
        ExportPlan plan;
        try { plan = ExportPlan.For(model); }
        catch (NotSupportedException e)
        {
            Problem(model, prefix, e.Message);
            return Placeholders(model.ComputeOutputShape(inputs.Select(v => v.Shape).ToArray()));
        }
        var values = new Dictionary<object, OnnxValue>();
        for (int i = 0; i < plan.Inputs.Count; i++) values[plan.Inputs[i].Key] = inputs[i];
        Run(plan.Steps, values, prefix + model.Name + "/");
        return plan.Outputs.Select(k => values[k]).ToArray();
    }

    private void Problem(Layer layer, string prefix, string reason) =>
        _problems.Add($"layer '{prefix}{layer.Name}' ({layer.GetType().Name}): {reason.TrimEnd('.')}.");

    private static OnnxValue[] Placeholders(IReadOnlyList<long[]> shapes) => shapes.Select(s => new OnnxValue("", s)).ToArray();

    /// <summary>
    /// The graph's outputs, after a softmax when asked. An output that is a graph input, or another output, is copied by
    /// an Identity: ONNX gives each output a name of its own.
    /// </summary>
    private void AddOutputs(OnnxValue[] outputs, bool includeSoftmax)
    {
        GraphProto graph = _writer.Graph;
        var taken = new HashSet<string>(graph.Input.Select(i => i.Name));
        foreach (OnnxValue output in outputs)
        {
            string name = output.Name;
            if (includeSoftmax)
                name = _writer.Node("Softmax", outputs.Length == 1 ? "probabilities" : $"{name}_probabilities", [name], OnnxAttributes.Int("axis", -1));
            if (!taken.Add(name))
            {
                name = _writer.Node("Identity", $"{name}_output", [name]);
                taken.Add(name);
            }
            graph.Output.Add(OnnxGraphWriter.FloatValue(name, output.Shape));
        }
    }

    /// <summary>Refuses a softmax on an output that already comes out of one: the probabilities would be wrong.</summary>
    private static void CheckNoSoftmax(ExportPlan plan)
    {
        foreach (object output in plan.Outputs)
        {
            Layer? producer = plan.Steps.LastOrDefault(s => s.Outputs.Contains(output))?.Layer;
            string? activation = producer switch
            {
                Softmax => "softmax",
                Activation a => a.Function.Name,
                Dense d => d.Activation.Name,
                Conv2D c => c.Activation.Name,
                _ => null,
            };
            if (activation is "softmax" or "log_softmax")
                throw new ArgumentException($"IncludeSoftmax would apply a softmax after layer '{producer!.Name}', whose output is already a {activation}. " +
                                            "Export without IncludeSoftmax: the model already gives probabilities.");
        }
    }

    private static ModelProto MakeModel(GraphProto graph, int opset, bool includeSoftmax, IReadOnlyList<string>? classNames)
    {
        var model = new ModelProto
        {
            // IR version 7 came with opset 12 and 8 with opset 15: the lowest that holds the opset, for the widest reach.
            IrVersion = opset < 15 ? 7 : 8,
            ProducerName = "Tanuki",
            ProducerVersion = TanukiInfo.Version,
            DocString = $"{graph.Name}, exported by Tanuki {TanukiInfo.Version}",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        if (classNames is not null)
            model.MetadataProps.Add(new StringStringEntryProto { Key = MetadataKeys.ClassNames, Value = new JsonArray(classNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()).ToJsonString() });   // JsonNode: no reflection, trimmed apps too
        model.MetadataProps.Add(new StringStringEntryProto { Key = MetadataKeys.SoftmaxIncluded, Value = includeSoftmax ? "true" : "false" });
        return model;
    }
}
