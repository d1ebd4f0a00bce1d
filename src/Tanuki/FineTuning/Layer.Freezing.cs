using System.Globalization;

namespace Tanuki;

public abstract partial class Layer
{
    /// <summary>Freezes the layer and everything in it (<c>Trainable = false</c>).</summary>
    public void Freeze() => Trainable = false;

    /// <summary>Unfreezes the layer and everything in it (<c>Trainable = true</c>).</summary>
    /// <returns>The layers holding weights that are now trainable, in the model's layer order.</returns>
    public IReadOnlyList<Layer> Unfreeze()
    {
        Trainable = true;
        return LeafLayers().Where(l => l.Weights.Count > 0).ToList();
    }

    /// <summary>
    /// Unfreezes the layer named <paramref name="fromLayer"/> and every layer after it, and freezes every layer
    /// before it — the usual "fine-tune the top of the base" step. Layer order is the order of
    /// <see cref="Layers"/>, depth first through nested models (a functional model's order is the order its layers
    /// are called in). The name is matched exactly, or else as a prefix (<c>"stage4"</c> finds the first layer whose
    /// name starts with it); a nested model's name stands for its first layer.
    /// <para>Changes take effect at the next <c>Fit</c> epoch, with no recompile. BatchNormalization layers are
    /// unfrozen like the others; they still run in inference mode if the base was called with
    /// <c>training: false</c> (see <see cref="Model.FineTune(Layer, Data.Dataset, Data.Dataset?, FineTuneOptions?, CancellationToken)"/>).</para>
    /// </summary>
    /// <returns>The layers holding weights that are now trainable, in order.</returns>
    /// <exception cref="ArgumentException">No layer has that name or prefix; the message lists the names there are.</exception>
    public IReadOnlyList<Layer> Unfreeze(string fromLayer)
    {
        ArgumentNullException.ThrowIfNull(fromLayer);
        List<Layer> leaves = LeafLayers();
        Layer start = FindLayer(fromLayer);
        Layer first = start.LeafLayers().FirstOrDefault()
                      ?? throw new ArgumentException($"Layer '{start.Name}' has no layers to unfreeze.", nameof(fromLayer));
        return UnfreezeFrom(leaves, leaves.IndexOf(first));
    }

    /// <summary>
    /// Unfreezes the last <paramref name="fraction"/> of the layers holding weights (rounded up, so at least one)
    /// and freezes the rest: <c>Unfreeze(fraction: 0.3)</c> trains the top 30 % of a base. 1 unfreezes everything.
    /// </summary>
    /// <returns>The layers holding weights that are now trainable, in order.</returns>
    public IReadOnlyList<Layer> Unfreeze(double fraction)
    {
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, $"Expected a fraction in (0, 1]. Received: fraction={fraction}");
        List<Layer> leaves = LeafLayers();
        List<Layer> weighted = leaves.Where(l => l.Weights.Count > 0).ToList();
        if (weighted.Count == 0) throw new InvalidOperationException($"Layer '{Name}' holds no weights to unfreeze.");
        int count = (int)Math.Ceiling(fraction * weighted.Count - 1e-9);
        return UnfreezeFrom(leaves, leaves.IndexOf(weighted[weighted.Count - count]));
    }

    /// <summary>
    /// Unfreezes by a spec as the CLI's <c>--unfreeze</c> takes it: <c>"all"</c>, a fraction (<c>"0.3"</c>), or a
    /// layer name or prefix (<c>"stage4"</c>).
    /// </summary>
    internal IReadOnlyList<Layer> UnfreezeBySpec(string spec)
    {
        CheckUnfreezeSpec(spec);
        if (spec == "all") return Unfreeze();
        if (TryParseFraction(spec, out double fraction)) return Unfreeze(fraction);
        return Unfreeze(fromLayer: spec);
    }

    /// <summary>Fails now, with the names there are, if <see cref="UnfreezeBySpec"/> would fail later.</summary>
    internal void CheckUnfreezeSpec(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
            throw new ArgumentException($"Expected \"all\", a fraction such as \"0.3\", or a layer name. Received: unfreeze=\"{spec}\"", nameof(spec));
        if (spec == "all") return;
        if (TryParseFraction(spec, out double fraction))
        {
            if (!(fraction > 0 && fraction <= 1))
                throw new ArgumentOutOfRangeException(nameof(spec), fraction, $"Expected a fraction in (0, 1]. Received: unfreeze={spec}");
            return;
        }
        FindLayer(spec);
    }

    private static bool TryParseFraction(string spec, out double fraction) =>
        double.TryParse(spec, NumberStyles.Float, CultureInfo.InvariantCulture, out fraction);

    /// <summary>
    /// The leaf layers (those without sublayers) in the model's layer order, depth first, each once; the layer
    /// itself when it is a leaf.
    /// </summary>
    internal List<Layer> LeafLayers()
    {
        var result = new List<Layer>();
        var seen = new HashSet<Layer>();
        void Visit(Layer layer)
        {
            if (!seen.Add(layer)) return;
            if (layer.Layers.Count == 0) result.Add(layer);
            else foreach (Layer sub in layer.Layers) Visit(sub);
        }
        Visit(this);
        return result;
    }

    /// <summary>The leaf layers that training updates now (their own flag and every enclosing layer's are true).</summary>
    internal HashSet<Layer> TrainableLeafLayers()
    {
        var result = new HashSet<Layer>();
        void Visit(Layer layer, bool enclosingTrainable)
        {
            bool trainable = enclosingTrainable && layer.Trainable;
            if (layer.Layers.Count == 0) { if (trainable) result.Add(layer); }
            else foreach (Layer sub in layer.Layers) Visit(sub, trainable);
        }
        Visit(this, true);
        return result;
    }

    /// <summary>
    /// Makes exactly <paramref name="trainable"/> (leaf layers) trainable within this layer. Enclosing layers stay
    /// trainable where something inside them trains and are frozen where nothing does, so <c>Trainable</c> reads
    /// true on a nested model that is partly trainable, as in Keras.
    /// </summary>
    internal void SetTrainableLeafLayers(ISet<Layer> trainable)
    {
        Trainable = true;
        foreach (Layer leaf in LeafLayers())
            if (!trainable.Contains(leaf)) leaf.Trainable = false;
        FreezeWhereNothingTrains(this);
    }

    private static bool FreezeWhereNothingTrains(Layer layer)
    {
        if (layer.Layers.Count == 0) return layer.Trainable;
        bool any = false;
        foreach (Layer sub in layer.Layers) any |= FreezeWhereNothingTrains(sub);
        if (!any) layer.Trainable = false;
        return any;
    }

    /// <summary>Whether <paramref name="layer"/> is this layer or anywhere inside it.</summary>
    internal bool ContainsLayer(Layer layer)
    {
        if (ReferenceEquals(this, layer)) return true;
        foreach (Layer sub in Layers)
            if (sub.ContainsLayer(layer)) return true;
        return false;
    }

    /// <summary>Finds a layer in this layer's tree (itself excluded) by exact name, else by name prefix, depth first.</summary>
    internal Layer FindLayer(string name)
    {
        var all = new List<Layer>();
        void Visit(Layer layer)
        {
            foreach (Layer sub in layer.Layers)
            {
                if (all.Contains(sub)) continue;
                all.Add(sub);
                Visit(sub);
            }
        }
        Visit(this);
        Layer? found = all.FirstOrDefault(l => l.Name == name)
                       ?? (name.Length > 0 ? all.FirstOrDefault(l => l.Name.StartsWith(name, StringComparison.Ordinal)) : null);
        if (found is not null) return found;
        throw new ArgumentException(
            $"No layer named \"{name}\" (or whose name starts with it) in '{Name}'. Layers are: [{string.Join(", ", all.Select(l => l.Name))}].",
            nameof(name));
    }

    private List<Layer> UnfreezeFrom(List<Layer> leaves, int boundary)
    {
        SetTrainableLeafLayers(leaves.Skip(boundary).ToHashSet());
        return leaves.Skip(boundary).Where(l => l.Weights.Count > 0).ToList();
    }

    /// <summary>A short description of some layers for messages: "3 layers (dense_2 … dense_4), 1,234 parameters".</summary>
    internal static string Describe(IReadOnlyList<Layer> layers)
    {
        if (layers.Count == 0) return "no layers";
        long parameters = layers.Sum(l => l.CountParams());
        string names = layers.Count == 1 ? layers[0].Name : $"{layers[0].Name} … {layers[^1].Name}";
        return string.Create(CultureInfo.InvariantCulture, $"{layers.Count} layer{(layers.Count == 1 ? "" : "s")} ({names}), {parameters:N0} parameters");
    }
}
