using Tanuki.Inference;
using Tanuki.Interop.OnnxExport;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// The part of a model that the frozen-feature cache can compute once per sample: every layer call that has no
/// trainable weight, is not stochastic in training (no active random layer, no BatchNormalization on batch
/// statistics) and depends only on the model's inputs and such calls. The <see cref="Frontier"/> holds the tensors
/// the rest of the model needs from it. Functional models split at any set of nodes; a Sequential splits after its
/// first layers. The prefix runs on the inference engine its model's <see cref="Model.Execution"/> chooses (ONNX
/// Runtime, on a session of the prefix's exported graph, where it measured faster).
/// </summary>
internal sealed class FrozenPrefix
{
    private readonly Model _model;
    private readonly Graph? _graph;
    private readonly HashSet<Node>? _nodes;
    private readonly IReadOnlyList<Layer>? _chain;
    private readonly int _count;
    private readonly bool _inference;

    private FrozenPrefix(Model model, Graph graph, HashSet<Node> nodes, SymbolicTensor[] frontier, IReadOnlyList<Layer> layers, bool inference)
    {
        _model = model;
        _inference = inference;
        _graph = graph;
        _nodes = nodes;
        Frontier = frontier;
        PrefixLayers = layers;
    }

    private FrozenPrefix(Model model, IReadOnlyList<Layer> chain, int count, bool inference)
    {
        _model = model;
        _inference = inference;
        _chain = chain;
        _count = count;
        Frontier = [];
        PrefixLayers = chain.Take(count).ToList();
    }

    /// <summary>The tensors the trainable part needs (functional models); empty for a Sequential.</summary>
    public SymbolicTensor[] Frontier { get; }

    /// <summary>The layers computed once per sample.</summary>
    public IReadOnlyList<Layer> PrefixLayers { get; }

    /// <summary>
    /// Scalars in the prefix's frozen weights: weights that could train but are frozen now (kernels, biases, BN scales).
    /// Constants that never train (a mean image, moving statistics) do not count: a prefix of preprocessing alone is
    /// too cheap to be worth caching.
    /// </summary>
    public long FrozenParameters => PrefixLayers.SelectMany(l => l.Weights).Distinct().Where(v => v.IsTrainableKind).Sum(v => v.Count);

    /// <summary>A short description for messages.</summary>
    public string Describe()
    {
        var named = PrefixLayers.Where(l => l.Weights.Any(v => v.IsTrainableKind)).Select(l => $"'{l.Name}'").ToList();
        string layers = named.Count <= 3 ? string.Join(", ", named) : $"{string.Join(", ", named.Take(2))} and {named.Count - 2} more layers";
        return $"{layers} ({FrozenParameters:N0} frozen parameters)";
    }

    /// <summary>Whether two analyses cut the model at the same place.</summary>
    public bool SameAs(FrozenPrefix? other) =>
        other is not null && (_nodes is not null
            ? other._nodes is not null && _nodes.SetEquals(other._nodes) && Frontier.SequenceEqual(other.Frontier)
            : other._chain == _chain && other._count == _count);

    /// <summary>
    /// Finds the cacheable prefix of <paramref name="model"/> given the weights being trained: a decision with reason
    /// <see cref="FeatureCacheReason.Cached"/> and the prefix, or with the reason there is none (its size is judged by
    /// <see cref="FeatureCacheDecision.For"/>). With <paramref name="inference"/> the prefix is for inference-mode
    /// passes only (the recipe's feature views): random layers, which are identities there, do not stop it.
    /// </summary>
    public static FeatureCacheDecision Find(Model model, ISet<Variable> trainable, bool inference = false)
    {
        if (model.FunctionalGraph is Graph g)
        {
            if (g.Inputs.Length == 1 && g.Outputs.Length == 1) return FindInGraph(model, g, trainable, inference);
            return new(FeatureCacheReason.SeveralInputsOrOutputs);
        }
        if (model is Sequential s) return FindInChain(s, s.Layers, trainable, inference);
        return new(FeatureCacheReason.OwnForwardPass);
    }

    private static bool Frozen(Layer layer, ISet<Variable> trainable) => !layer.Weights.Any(trainable.Contains);

    private static FeatureCacheDecision FindInChain(Model model, IReadOnlyList<Layer> layers, ISet<Variable> trainable, bool inference)
    {
        int k = 0;
        while (k < layers.Count && Frozen(layers[k], trainable) && !layers[k].IsStochastic(!inference)) k++;
        var none = k < layers.Count && layers[k].IsStochastic(true) && layers.Skip(k).Any(l => l.Weights.Count > 0 && Frozen(l, trainable))
            ? new FeatureCacheDecision(FeatureCacheReason.RandomLayerFirst, RandomLayer: layers[k])
            : new FeatureCacheDecision(FeatureCacheReason.NoFrozenPrefix);
        if (k == layers.Count) k--;   // keep at least the last layer out, so there is something to run on the cache
        if (k <= 0 || !layers.Take(k).Any(l => l.Weights.Count > 0)) return none;
        return new(FeatureCacheReason.Cached, new FrozenPrefix(model, layers, k, inference));
    }

    private static FeatureCacheDecision FindInGraph(Model model, Graph graph, ISet<Variable> trainable, bool inference)
    {
        var cacheable = new HashSet<Node>();
        var available = new HashSet<SymbolicTensor>(graph.Inputs);
        Layer? randomBlocker = null;
        foreach (Node n in graph.Nodes)
        {
            bool inputsReady = n.Inputs.All(available.Contains);
            bool stochastic = n.Layer.IsStochastic(!inference && (n.Training ?? true));
            if (inputsReady && Frozen(n.Layer, trainable) && !stochastic)
            {
                cacheable.Add(n);
                foreach (SymbolicTensor o in n.Outputs) available.Add(o);
            }
            else if (inputsReady && stochastic && randomBlocker is null) randomBlocker = n.Layer;
        }
        // Keep at least the output layers out, so training has something to run.
        foreach (SymbolicTensor o in graph.Outputs)
            if (o.Node is Node last) cacheable.Remove(last);
        while (cacheable.RemoveWhere(n => n.Inputs.Any(i => i.Node is Node p && !cacheable.Contains(p))) > 0) { }
        var layers = graph.Nodes.Where(cacheable.Contains).Select(n => n.Layer).Distinct().ToList();
        if (!layers.Any(l => l.Weights.Count > 0))
        {
            bool frozenLater = graph.Nodes.Any(n => !cacheable.Contains(n) && n.Layer.Weights.Count > 0 && Frozen(n.Layer, trainable));
            return randomBlocker is not null && frozenLater
                ? new(FeatureCacheReason.RandomLayerFirst, RandomLayer: randomBlocker)
                : new(FeatureCacheReason.NoFrozenPrefix);
        }
        var needed = new List<SymbolicTensor>();
        foreach (Node n in graph.Nodes.Where(n => !cacheable.Contains(n)))
            foreach (SymbolicTensor i in n.Inputs)
                if (!needed.Contains(i) && (i.Node is null || cacheable.Contains(i.Node))) needed.Add(i);
        return new(FeatureCacheReason.Cached, new FrozenPrefix(model, graph, cacheable, needed.ToArray(), layers, inference));
    }

    /// <summary>
    /// The model's head when it is one <c>Dense</c> layer on the prefix's single output of shape (N, features), with
    /// a linear or softmax activation: a multinomial logistic regression on the cached features, which the recipe
    /// can fit exactly. Null for any other head.
    /// </summary>
    public Layers.Dense? LinearHead()
    {
        Layer? last;
        SymbolicTensor? input = null;
        if (_chain is not null)
        {
            if (_count != _chain.Count - 1) return null;
            last = _chain[^1];
        }
        else
        {
            var rest = _graph!.Nodes.Where(n => !_nodes!.Contains(n)).ToList();
            if (rest.Count != 1 || Frontier.Length != 1 || rest[0].Inputs.Length != 1) return null;
            last = rest[0].Layer;
            input = rest[0].Inputs[0];
        }
        if (last is not Layers.Dense { Built: true } dense || dense.Units < 2) return null;
        if (dense.Activation.Name is not ("linear" or "softmax")) return null;
        if (input is not null && input.Shape.Length != 2) return null;
        return dense;
    }

    /// <summary>
    /// Runs the prefix on a batch (no gradients); one tensor per frontier entry (one for a Sequential). On ONNX Runtime
    /// when the model's options choose it: a prefix found for training is deterministic in training and in inference
    /// alike, so <paramref name="training"/> changes nothing there; one found for inference only (random layers
    /// included, identities in inference mode) runs on libtorch when called in training mode with such a layer.
    /// </summary>
    public Tensor[] RunPrefix(Tensor x, bool training)
    {
        using var noGrad = no_grad();
        bool random = training && _inference && PrefixLayers.Any(l => l.IsStochastic(true));
        if (_model.PrefixInference(this).TryRun([x], remainingSamples: -1, random, out _) is Tensor[] outputs) return outputs;
        ExecutionOptions options = _model.Execution.InContext();
        if (_chain is not null)
        {
            using var running = options.Enter();
            Tensor h = x;
            for (int i = 0; i < _count; i++) h = _chain[i].Call(h, training);
            return [h];
        }
        var values = new Dictionary<SymbolicTensor, Tensor> { [_graph!.Inputs[0]] = x };
        var skip = new HashSet<Node>(_graph.Nodes.Where(n => !_nodes!.Contains(n)));
        _graph.RunNodes(values, training, skip, options);
        return Frontier.Select(t => values[t]).ToArray();
    }

    /// <summary>The prefix as an export plan: what its ONNX Runtime session runs.</summary>
    public ExportPlan ExportPlan()
    {
        ExportPlan whole = Tanuki.Interop.OnnxExport.ExportPlan.For(_model);
        return _chain is not null ? whole.Take(_count) : whole.EndingAt(Frontier);
    }

    /// <summary>Runs the rest of the model from cached prefix outputs; float32 out, as a model's call.</summary>
    public Tensor RunSuffix(Tensor[] features, bool training)
    {
        ExecutionOptions options = _model.Execution.InContext();
        if (_chain is not null)
        {
            using var running = options.Enter();
            Tensor h = features[0];
            for (int i = _count; i < _chain.Count; i++) h = _chain[i].Call(h, training);
            return MixedPrecision.ToFloat32(h);
        }
        var values = new Dictionary<SymbolicTensor, Tensor>();
        for (int i = 0; i < Frontier.Length; i++) values[Frontier[i]] = features[i];
        _graph!.RunNodes(values, training, _nodes, options);
        return MixedPrecision.ToFloat32(values[_graph.Outputs[0]]);
    }
}
