using Tanuki.Layers;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki;

/// <summary>
/// Runs a frozen Conv2D → BatchNormalization chain of a functional graph as one convolution when the normalization is
/// in inference mode: the normalization is folded into the kernel and bias (<c>W·γ/√(σ²+ε)</c>,
/// <c>(b − μ)·γ/√(σ²+ε) + β</c>). What follows the chain joins it where nothing else reads the intermediate outputs:
/// a ReLU is applied in place; a residual Add and its ReLU run as one pass into the convolution's output
/// (<see cref="AddRelu"/>); a ReLU → MaxPooling2D stem with a large output runs in slices of the batch
/// (<see cref="StemChunkBytes"/>). Exact up to float rounding (tested against the unfused path). Applies only when no
/// weight of the chain needs a gradient; the folded weights are recomputed when any of the six weights changes.
/// </summary>
internal sealed class InferenceFusion
{
    /// <summary>On by default; benchmarks and tests switch it off to compare.</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>
    /// A frozen Conv2D → BatchNormalization → ReLU → MaxPooling2D chain whose convolution output is large (a stem at
    /// high resolution: 103 MB for ResNet-18's first convolution at 224², batch 32) runs in slices of the batch whose
    /// convolution output is about this size, so the pooling reads it from cache rather than memory. Measured with
    /// <c>benchmarks ablation --switch stem-chunks</c> on ResNet-18 at 224²: 1.00–1.13× (medians of alternating steps);
    /// at 96² (19 MB) it did not help, so outputs under four slices' worth run whole. 0 turns it off.
    /// </summary>
    internal static long StemChunkBytes { get; set; } = 8L << 20;

    /// <summary>How many chains ran in slices (tests count them).</summary>
    internal static long SlicedRuns => Interlocked.Read(ref _slicedRuns);

    private static long _slicedRuns;

    /// <summary>A chain: the normalization, then a ReLU, or a residual Add (with its other input) and maybe a ReLU.</summary>
    private sealed record Plan(Node Bn, Node? Relu, Node? Add, SymbolicTensor? Other, Node? AddRelu, Node? Pool);

    private readonly Dictionary<Node, Plan> _plans = new();
    private readonly Dictionary<Node, (Tensor Kernel, Tensor Bias, long[] Versions)> _folded = new();
    private readonly object _lock = new();

    public InferenceFusion(Graph graph)
    {
        var consumers = new Dictionary<SymbolicTensor, List<Node>>();
        foreach (Node n in graph.Nodes)
            foreach (SymbolicTensor i in n.Inputs)
            {
                if (!consumers.TryGetValue(i, out var list)) consumers[i] = list = new List<Node>();
                if (!list.Contains(n)) list.Add(n);
            }
        var outputs = new HashSet<SymbolicTensor>(graph.Outputs);
        Node? OnlyConsumer(SymbolicTensor t) =>
            !outputs.Contains(t) && consumers.TryGetValue(t, out var c) && c.Count == 1 && c[0].Inputs.Count(i => i == t) == 1 ? c[0] : null;

        foreach (Node n in graph.Nodes)
        {
            if (n.Layer is not Conv2D conv || conv.Activation != Activations.Linear || n.Outputs.Length != 1) continue;
            if (OnlyConsumer(n.Outputs[0]) is not Node bn || bn.Layer is not BatchNormalization norm || bn.Inputs.Length != 1) continue;
            if (norm.Axis != 1 && norm.Axis != -3) continue;
            Node? next = OnlyConsumer(bn.Outputs[0]);
            Node? relu = next is not null && IsPlainRelu(next.Layer) ? next : null;
            Node? add = null, addRelu = null;
            SymbolicTensor? other = null;
            if (next is { Layer: Add, Inputs.Length: 2, Outputs.Length: 1 } && next.Inputs[0] != next.Inputs[1])
            {
                add = next;
                other = next.Inputs[0] == bn.Outputs[0] ? next.Inputs[1] : next.Inputs[0];
                addRelu = OnlyConsumer(next.Outputs[0]) is Node ar && IsPlainRelu(ar.Layer) ? ar : null;
            }
            Node? pool = relu is not null && OnlyConsumer(relu.Outputs[0]) is Node mp && mp.Layer is MaxPooling2D && mp.Outputs.Length == 1 ? mp : null;
            _plans[n] = new Plan(bn, relu, add, other, addRelu, pool);
        }
    }

    /// <summary>The number of Conv2D → BatchNormalization chains that can be fused.</summary>
    public int Chains => _plans.Count;

    /// <summary>The number of chains that end in a residual addition.</summary>
    public int ResidualChains => _plans.Values.Count(p => p.Add is not null);

    /// <summary>A ReLU with no cap, slope or threshold, as a layer or an activation.</summary>
    internal static bool IsPlainRelu(Layer layer) =>
        (layer is ReLU r && r.MaxValue is null && r.NegativeSlope == 0 && r.Threshold == 0) ||
        (layer is Activation a && a.Function == Activations.Relu);

    /// <summary>Runs the chain starting at <paramref name="node"/> fused, if it can; false to run it normally.</summary>
    public bool TryRun(Node node, Dictionary<SymbolicTensor, Tensor> values, bool training, ISet<Node>? skip)
    {
        if (!Enabled || !_plans.TryGetValue(node, out var plan)) return false;
        bool Runs(Node? n) => n is not null && (skip is null || !skip.Contains(n));
        if (!Runs(plan.Bn)) return false;
        var conv = (Conv2D)node.Layer;
        var bn = (BatchNormalization)plan.Bn.Layer;
        if ((plan.Bn.Training ?? training) && bn.Trainable) return false;      // BN on batch statistics
        if (conv.Weights.Any(v => v.Value.requires_grad) || bn.Weights.Any(v => v.Value.requires_grad)) return false;
        Tensor x = values[node.Inputs[0]];
        if (!conv.Built) return false;
        conv.CheckInputs([x.shape]);
        var (kernel, bias) = Folded(node, conv, bn);
        if (Runs(plan.Relu) && Runs(plan.Pool) && TryRunSliced(plan, conv, x, kernel, bias, values, training)) return true;
        Tensor y = conv.ConvolveWith(x, kernel, bias);
        values[plan.Bn.Outputs[0]] = y;
        bool inPlace = !torch.is_grad_enabled() || !y.requires_grad;
        if (Runs(plan.Relu))
            values[plan.Relu!.Outputs[0]] = inPlace ? y.relu_() : F.relu(y);
        else if (Runs(plan.Add) && inPlace && values.TryGetValue(plan.Other!, out Tensor? other) && AddRelu.Applies(y, other))
        {
            // The residual end of a block: y = relu(y + shortcut) in one pass over memory, into y (its only reader).
            // The shortcut must already exist; where the graph lists its branch later, the Add runs as a layer.
            bool withRelu = Runs(plan.AddRelu);
            if (withRelu) AddRelu.InPlace(y, other);
            else Scalars.AddInPlace(y, other);
            values[plan.Add!.Outputs[0]] = y;
            if (withRelu) values[plan.AddRelu!.Outputs[0]] = y;
        }
        return true;
    }

    /// <summary>The conv → BN → ReLU → MaxPooling2D chain in slices of the batch (see <see cref="StemChunkBytes"/>).</summary>
    private static bool TryRunSliced(Plan plan, Conv2D conv, Tensor x, Tensor kernel, Tensor bias,
                                     Dictionary<SymbolicTensor, Tensor> values, bool training)
    {
        if (plan.Pool is not Node pool || StemChunkBytes <= 0 || torch.is_grad_enabled()) return false;
        long[] shape = conv.ComputeOutputShape(x.shape);
        long perSample = shape[1] * shape[2] * shape[3] * x.element_size();
        long slice = Math.Max(1, StemChunkBytes / Math.Max(1, perSample));
        if (perSample * x.shape[0] < 4 * StemChunkBytes || slice >= x.shape[0]) return false;
        Interlocked.Increment(ref _slicedRuns);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < x.shape[0]; start += slice)
            {
                using var scope = NewDisposeScope();
                Tensor y = conv.ConvolveWith(x[TensorIndex.Slice(start, Math.Min(x.shape[0], start + slice))], kernel, bias).relu_();
                parts.Add(pool.Layer.Call([y], pool.Training ?? training)[0].DetachFromDisposeScope());
            }
            Tensor pooled = torch.cat(parts, 0);
            values[plan.Bn.Outputs[0]] = pooled;      // each step's only reader is the next: nothing else sees these
            values[plan.Relu!.Outputs[0]] = pooled;
            values[pool.Outputs[0]] = pooled;
            return true;
        }
        finally
        {
            foreach (Tensor t in parts) t.Dispose();
        }
    }

    private (Tensor Kernel, Tensor Bias) Folded(Node node, Conv2D conv, BatchNormalization bn)
    {
        Variable[] vars = conv.Weights.Concat(bn.Weights).ToArray();
        long[] versions = vars.Select(v => v.Version).ToArray();
        lock (_lock)
        {
            if (_folded.TryGetValue(node, out var f) && f.Versions.SequenceEqual(versions) && f.Kernel.device == conv.Kernel!.Value.device)
                return (f.Kernel, f.Bias);
            if (_folded.TryGetValue(node, out var stale)) { stale.Kernel.Dispose(); stale.Bias.Dispose(); }
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            Tensor w = conv.Kernel!.Value;
            long c = w.shape[0];
            Tensor scale = (bn.MovingVariance!.Value + bn.Epsilon).rsqrt();
            if (bn.Gamma is not null) scale = scale * bn.Gamma.Value;
            Tensor kernel = w * scale.reshape(c, 1, 1, 1);
            Tensor bias = (conv.Bias is null ? -bn.MovingMean!.Value : conv.Bias.Value - bn.MovingMean!.Value) * scale;
            if (bn.Beta is not null) bias = bias + bn.Beta.Value;
            kernel = kernel.contiguous().DetachFromDisposeScope();
            bias = bias.contiguous().DetachFromDisposeScope();
            _folded[node] = (kernel, bias, versions);
            return (kernel, bias);
        }
    }
}
