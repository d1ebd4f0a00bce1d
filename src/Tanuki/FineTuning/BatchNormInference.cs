using Tanuki.Layers;

namespace Tanuki;

/// <summary>
/// Which BatchNormalization layers would normalize with batch statistics (and move their moving statistics) when
/// a model is fitted: those reached with <c>training: true</c>. A functional model passes on the flag a node was
/// built with (<c>baseModel.Call(inputs, training: false)</c> pins the whole base to inference mode), a Sequential
/// passes on its own. Read off the graph, without running anything.
/// </summary>
internal static class BatchNormInference
{
    /// <summary>The BatchNormalization layers in <paramref name="model"/> that <c>Fit</c> would run in training mode if they were trainable.</summary>
    public static IReadOnlyList<BatchNormalization> ReachedInTrainingMode(Layer model)
    {
        var found = new List<BatchNormalization>();
        var visited = new HashSet<(Layer, bool)>();
        void Visit(Layer layer, bool training)
        {
            if (!visited.Add((layer, training))) return;
            if (layer is BatchNormalization bn)
            {
                if (training && !found.Contains(bn)) found.Add(bn);
                return;
            }
            if (layer is Model { FunctionalGraph: Graph graph })
            {
                foreach (Node node in graph.Nodes) Visit(node.Layer, node.Training ?? training);
                return;
            }
            foreach (Layer sub in layer.Layers) Visit(sub, training);
        }
        Visit(model, true);
        return found;
    }
}
