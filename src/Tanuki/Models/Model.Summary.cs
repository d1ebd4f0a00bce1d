namespace Tanuki;

public partial class Model
{
    /// <summary>
    /// Prints Keras's summary table: <c>Model: "name"</c>, one row per layer (<c>Layer (type)</c>, <c>Output Shape</c>,
    /// <c>Param #</c>, and <c>Connected to</c> for functional models that are not a plain chain), then
    /// <c>Total params</c>, <c>Trainable params</c>, <c>Non-trainable params</c> with their sizes, and
    /// <c>Optimizer params</c> once the optimizer has state. <see cref="GetSummary"/> gives the same as numbers.
    /// </summary>
    /// <param name="showTrainable">Adds a <c>Trainable</c> column: <c>Y</c>, <c>N</c> (frozen), or <c>-</c> for layers without weights.</param>
    /// <param name="expandNested">Shows the layers of nested models under their model's row instead of one row per model.</param>
    /// <param name="lineLength">Table width; Keras's default (88 or 108, +12 with the Trainable column), narrowed to the console.</param>
    /// <param name="output">Where to write; the console by default.</param>
    public void Summary(bool showTrainable = false, bool expandNested = false, int? lineLength = null, TextWriter? output = null)
    {
        ModelSummary summary = GetSummary(expandNested);
        int? width = lineLength;
        if (width is null && output is null && ConsoleColumns() is int columns)
            width = Math.Min(SummaryTable.DefaultLength(summary.ShowsConnections, showTrainable), columns - 4);
        string text = summary.ToString(showTrainable, width);
        (output ?? Console.Out).Write(output is null ? SummaryTable.ForEncoding(text, Console.OutputEncoding) : text);
    }

    /// <summary>The summary's rows and parameter counts, for code and tests: what <see cref="Summary"/> prints.</summary>
    /// <param name="expandNested">Whether the layers of nested models get rows of their own (with <see cref="SummaryRow.Depth"/> &gt; 0).</param>
    public ModelSummary GetSummary(bool expandNested = false)
    {
        var rows = new List<SummaryRow>();
        bool connections = FunctionalGraph is Graph g && !IsChain(g);
        AddRows(this, 0, expandNested, connections, rows);
        (long trainable, long trainableBytes) = Count(TrainableWeights);
        (long frozen, long frozenBytes) = Count(NonTrainableWeights);
        long optimizer = Optimizer?.CountParams() ?? 0;
        return new ModelSummary(Name, rows, connections, trainable, trainableBytes, frozen, frozenBytes,
                                optimizer > 0 ? optimizer : null, Optimizer?.CountBytes() ?? 0);
    }

    private static (long Count, long Bytes) Count(IReadOnlyList<Variable> weights) =>
        (weights.Sum(v => v.Count), weights.Sum(v => v.Count * v.Value.ElementSize));

    private static int? ConsoleColumns()
    {
        if (Console.IsOutputRedirected) return null;
        try { return Console.WindowWidth > 0 ? Console.WindowWidth : null; }
        catch (IOException) { return null; }
    }

    private static void AddRows(Layer owner, int depth, bool expandNested, bool connections, List<SummaryRow> rows)
    {
        Graph? graph = (owner as Model)?.FunctionalGraph;
        var graphNodes = graph is null ? null : new HashSet<Node>(graph.Nodes);
        foreach (Layer layer in owner.Layers)
        {
            List<Node> nodes = graphNodes is null ? [] : layer.InboundNodes.Where(graphNodes.Contains).ToList();
            rows.Add(new SummaryRow(
                layer.Name,
                TypeName(layer),
                OutputShapeText(layer, nodes),
                layer.Built ? layer.CountParams() : 0,
                layer.Built,
                connections && depth == 0 ? ConnectedTo(nodes) : "-",
                layer.Weights.Count > 0 ? layer.Trainable : null,
                depth));
            if (expandNested && layer.Layers.Count > 0) AddRows(layer, depth + 1, expandNested, connections, rows);
        }
    }

    /// <summary>The type name Keras shows: a functional model is <c>Functional</c>.</summary>
    internal static string TypeName(Layer layer) =>
        layer.GetType() == typeof(Model) && ((Model)layer).FunctionalGraph is not null ? "Functional" : layer.GetType().Name;

    private static string OutputShapeText(Layer layer, List<Node> nodes)
    {
        if (layer is Layers.InputLayer input) return Shapes.Format(Shapes.WithBatch(input.SampleShape));
        List<string> texts;
        if (nodes.Count > 0) texts = nodes.Select(n => FormatShapes(n.Outputs.Select(o => o.Shape).ToList())).Distinct().ToList();
        else if (layer.BuiltInputShapes is { } built)
        {
            try { texts = [FormatShapes(layer.ComputeOutputShape(built))]; }
            catch (Exception e) when (e is ArgumentException or NotSupportedException or InvalidOperationException or NotImplementedException) { return "?"; }
        }
        else return "?";
        return texts.Count == 1 ? texts[0] : "multiple";
    }

    private static string FormatShapes(IReadOnlyList<long[]> shapes) =>
        shapes.Count == 1 ? Shapes.Format(shapes[0]) : "[" + string.Join(", ", shapes.Select(s => Shapes.Format(s))) + "]";

    private static string ConnectedTo(List<Node> nodes)
    {
        var parts = new List<string>();
        foreach (Node node in nodes)
            foreach (SymbolicTensor t in node.Inputs)
                parts.Add(t.Node is null ? $"{t.Name}[0][0]" : $"{t.Node.Layer.Name}[{t.Node.Layer.InboundNodes.IndexOf(t.Node)}][{t.Index}]");
        return parts.Count == 0 ? "-" : string.Join(", ", parts);
    }

    /// <summary>Whether a graph is a plain chain (one input, one output, each call feeding the next, no shared layer):
    /// Keras prints such a model like a Sequential, without <c>Connected to</c>.</summary>
    private static bool IsChain(Graph graph)
    {
        if (graph.Inputs.Length != 1 || graph.Outputs.Length != 1) return false;
        SymbolicTensor previous = graph.Inputs[0];
        var seen = new HashSet<Layer>();
        foreach (Node node in graph.Nodes)
        {
            if (node.Inputs.Length != 1 || node.Inputs[0] != previous || node.Outputs.Length != 1 || !seen.Add(node.Layer)) return false;
            previous = node.Outputs[0];
        }
        return previous == graph.Outputs[0];
    }
}
