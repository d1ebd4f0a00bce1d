namespace Tanuki.Saving;

/// <summary>
/// Stable names for the layers and weights of a model: the path of layer names from the root, e.g.
/// <c>base/dense_1/kernel</c> for the kernel of layer <c>dense_1</c> inside the nested model <c>base</c>.
/// The same architecture gives the same names, whoever built it.
/// </summary>
internal static class LayerTree
{
    /// <summary>Every layer under <paramref name="root"/>, parents before children, with its path. A layer reachable
    /// along two paths (an Input shared by a model and the model nested in it) appears at each.</summary>
    public static List<(string Path, Layer Layer)> Layers(Layer root)
    {
        var result = new List<(string, Layer)>();
        void Visit(Layer layer, string prefix)
        {
            foreach (Layer sub in layer.Layers)
            {
                string path = prefix + sub.Name;
                result.Add((path, sub));
                Visit(sub, path + "/");
            }
        }
        Visit(root, "");
        return result;
    }

    /// <summary>Every weight under <paramref name="root"/> once, named by the path of its layer (the first path found).</summary>
    /// <exception cref="InvalidOperationException">Two different weights would get the same name (sublayers of a custom
    /// layer with equal names).</exception>
    public static List<(string Name, Variable Variable)> Weights(Layer root)
    {
        var result = new List<(string, Variable)>();
        var seen = new HashSet<Variable>();
        var names = new Dictionary<string, Variable>();
        void Own(Layer layer, string prefix)
        {
            foreach (Variable v in layer.Weights.Where(v => v.Owner == layer))
            {
                if (!seen.Add(v)) continue;
                string name = prefix + v.Name;
                if (names.TryGetValue(name, out Variable? other))
                    throw new InvalidOperationException(
                        $"Two weights of model '{root.Name}' would both be saved as \"{name}\" ({other.Path} and {v.Path}): give the sublayers of '{layer.Name}' distinct names.");
                names[name] = v;
                result.Add((name, v));
            }
        }
        Own(root, "");
        foreach (var (path, layer) in Layers(root)) Own(layer, path + "/");
        return result;
    }

    /// <summary>Checks that the model can be saved whole: a layer with weights must sit at one place in the tree,
    /// since loading makes one layer per place.</summary>
    public static void CheckSavable(Layer root)
    {
        var first = new Dictionary<Layer, string>();
        foreach (var (path, layer) in Layers(root))
        {
            if (first.TryAdd(layer, path) || layer.Weights.Count == 0) continue;
            throw new NotSupportedException(
                $"Layer '{layer.Name}' of model '{root.Name}' is used at two places of the model tree ('{first[layer]}' and '{path}'), " +
                "as a layer of a nested model and again outside it. Model.Save would rebuild it as two layers with separate weights; " +
                "use it in one model only, or save the weights alone with SaveWeights.");
        }
    }
}
