using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// When an inference run of a graph may free each intermediate tensor: as soon as its last reader has run, as PyTorch's
/// reference counting does, so a deep network's activations do not all stay alive until the end (lower peak memory,
/// warmer caches, steadier step times). Tensors are counted by object, since a layer may return its input itself
/// (Dropout in inference) or share it with another output (an in-place ReLU after a fused convolution); the caller's
/// inputs and the graph's outputs are never freed.
/// </summary>
internal sealed class MemoryPlan
{
    private readonly Graph _graph;
    private readonly Dictionary<SymbolicTensor, int> _uses = new();

    public MemoryPlan(Graph graph)
    {
        _graph = graph;
        foreach (Node n in graph.Nodes)
            foreach (SymbolicTensor t in n.Inputs) _uses[t] = _uses.GetValueOrDefault(t) + 1;
        foreach (SymbolicTensor o in graph.Outputs) _uses[o] = _uses.GetValueOrDefault(o) + 1;
    }

    /// <summary>Starts a run over <paramref name="values"/> (holding the graph's inputs); <paramref name="protect"/> is never freed.</summary>
    public Freeing Start(Dictionary<SymbolicTensor, Tensor> values, IReadOnlyList<Tensor> protect)
    {
        var run = new Freeing(values, new Dictionary<SymbolicTensor, int>(_uses), protect);
        foreach (SymbolicTensor o in _graph.Outputs) run.KeepAlive(o);
        foreach (SymbolicTensor i in _graph.Inputs) run.Hold(i);
        return run;
    }

    /// <summary>One run's counts: readers left per value, holders per tensor object.</summary>
    internal sealed class Freeing
    {
        private readonly Dictionary<SymbolicTensor, Tensor> _values;
        private readonly Dictionary<SymbolicTensor, int> _remaining;
        private readonly Dictionary<Tensor, int> _holders = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<Tensor> _keep;

        public Freeing(Dictionary<SymbolicTensor, Tensor> values, Dictionary<SymbolicTensor, int> remaining, IReadOnlyList<Tensor> protect)
        {
            _values = values;
            _remaining = remaining;
            _keep = new HashSet<Tensor>(protect, ReferenceEqualityComparer.Instance);
        }

        /// <summary>The values that exist now, to tell afterwards which a node added.</summary>
        public HashSet<SymbolicTensor> Snapshot() => new(_values.Keys);

        /// <summary>Holds every value added since <paramref name="before"/>.</summary>
        public void HoldNew(HashSet<SymbolicTensor> before)
        {
            foreach (SymbolicTensor t in _values.Keys) if (!before.Contains(t)) Hold(t);
        }

        public void KeepAlive(SymbolicTensor t) => _remaining[t] = int.MaxValue;

        public void Hold(SymbolicTensor t)
        {
            if (_values.TryGetValue(t, out Tensor? v) && _remaining.GetValueOrDefault(t) > 0) _holders[v] = _holders.GetValueOrDefault(v) + 1;
        }

        /// <summary>A node has read <paramref name="inputs"/>: frees each whose last reader that was.</summary>
        public void Release(IEnumerable<SymbolicTensor> inputs)
        {
            foreach (SymbolicTensor t in inputs)
            {
                if (!_remaining.TryGetValue(t, out int n) || n == int.MaxValue) continue;
                _remaining[t] = --n;
                if (n > 0 || !_values.TryGetValue(t, out Tensor? v)) continue;
                int h = _holders.GetValueOrDefault(v) - 1;
                _holders[v] = h;
                if (h <= 0 && !_keep.Contains(v)) v.Dispose();
            }
        }
    }
}
