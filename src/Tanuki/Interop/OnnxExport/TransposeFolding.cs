using Tanuki.Interop.OnnxImport.Protos;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// A rewrite of a written graph: a Transpose that alone reads another Transpose's output is folded into it — the pair
/// disappears when the two permutations undo each other, and becomes one Transpose otherwise. Layers that work on the
/// channel axis export with a transpose to the last axis and back (LayerNormalization over channels, say), and the
/// importer turns a model's own transposes into Permute layers, so an imported ConvNeXt came back with a back-and-forth
/// pair in each block, which ONNX Runtime ran as written (36 extra transposes; 6% of ConvNeXt-Tiny's time at 224²).
/// The values the graph computes do not change: a transpose moves values and never rounds them.
/// </summary>
internal static class TransposeFolding
{
    /// <summary>Folds every such pair in <paramref name="graph"/>, in place; returns how many transposes it removed.</summary>
    public static int Fold(GraphProto graph)
    {
        int removed = 0;
        while (FoldOne(graph)) removed++;
        return removed;
    }

    private static bool FoldOne(GraphProto graph)
    {
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (NodeProto n in graph.Node)
            foreach (string o in n.Output) producers[o] = n;
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (NodeProto n in graph.Node)
            foreach (string i in n.Input) readers[i] = readers.GetValueOrDefault(i) + 1;
        var outputs = new HashSet<string>(graph.Output.Select(o => o.Name), StringComparer.Ordinal);

        foreach (NodeProto second in graph.Node)
        {
            if (second.OpType != "Transpose" || second.Input.Count != 1 || Perm(second) is not long[] outer) continue;
            if (!producers.TryGetValue(second.Input[0], out NodeProto? first) || first.OpType != "Transpose" || Perm(first) is not long[] inner) continue;
            string between = first.Output[0];
            if (readers.GetValueOrDefault(between) != 1 || outputs.Contains(between) || inner.Length != outer.Length) continue;
            // second(first(x))[i] = x[inner[outer[i]]].
            long[] composed = outer.Select(i => inner[i]).ToArray();
            string source = first.Input[0], result = second.Output[0];
            if (composed.Select((p, i) => p == i).All(same => same) && !outputs.Contains(result))
            {
                graph.Node.Remove(second);
                graph.Node.Remove(first);
                foreach (NodeProto n in graph.Node)
                    for (int k = 0; k < n.Input.Count; k++)
                        if (n.Input[k] == result) n.Input[k] = source;
                return true;
            }
            // Not the identity (or the result is a graph output, which keeps its name): one Transpose does both.
            second.Input[0] = source;
            second.Attribute.Clear();
            second.Attribute.Add(OnnxAttributes.Ints("perm", composed));
            graph.Node.Remove(first);
            return true;
        }
        return false;
    }

    private static long[]? Perm(NodeProto node) => node.Attribute.FirstOrDefault(a => a.Name == "perm")?.Ints.ToArray();
}
