using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki;

/// <summary>
/// The graph's rewrites: runs a frozen convolution → normalization chain of a functional graph as one convolution when
/// the normalization is in inference mode, folded into the kernel and bias (<c>W·γ/√(σ²+ε)</c>,
/// <c>(b − μ)·γ/√(σ²+ε) + β</c>). What follows the chain joins it where nothing else reads the intermediate outputs:
/// a ReLU is applied in place; a residual addition and its ReLU run as one pass into the convolution's output
/// (<see cref="AddRelu"/>); a ReLU → pooling stem with a large output runs in slices of the batch
/// (<see cref="ExecutionOptions.StemChunkBytes"/>). Chains are matched on layer capabilities by
/// <see cref="FusionChain.Find"/>, shared with <see cref="TrainingFusion"/>; the pooling after a stem is any
/// <see cref="IPerSamplePooling"/>. Exact up to float rounding
/// (tested against the unfused path). Applies only when no weight of the chain needs a gradient and the run's
/// <see cref="ExecutionOptions.InferenceFusion"/> is on; the folded weights are recomputed when any weight changes.
/// </summary>
internal sealed class InferenceFusion
{
    private long _slicedRuns;

    /// <summary>How many chains of this graph ran in slices (tests count them).</summary>
    internal long SlicedRuns => Interlocked.Read(ref _slicedRuns);

    /// <summary>A chain (<see cref="FusionChain"/>) and, after its ReLU, a pooling the stem may run in slices with.</summary>
    private sealed record Plan(FusionChain Chain, Node? Pool);

    private readonly Dictionary<Node, Plan> _plans = new();
    private readonly Dictionary<Node, (Tensor Kernel, Tensor Bias, long[] Versions)> _folded = new();
    private readonly object _lock = new();

    public InferenceFusion(Graph graph)
    {
        Func<SymbolicTensor, Node?> onlyConsumer = graph.OnlyConsumerFinder();
        foreach (FusionChain chain in FusionChain.Find(graph, onlyConsumer))
        {
            Node? pool = chain.Relu is not null && onlyConsumer(chain.Relu.Outputs[0]) is Node mp && mp.Layer is IPerSamplePooling && mp.Outputs.Length == 1 ? mp : null;
            _plans[chain.Conv] = new Plan(chain, pool);
        }
    }

    /// <summary>The number of convolution → normalization chains that can be fused.</summary>
    public int Chains => _plans.Count;

    /// <summary>The number of chains that end in a residual addition.</summary>
    public int ResidualChains => _plans.Values.Count(p => p.Chain.Add is not null);

    /// <summary>Runs the chain starting at <paramref name="node"/> fused, if it can and the options allow; false to run it normally.</summary>
    public bool TryRun(Node node, Dictionary<SymbolicTensor, Tensor> values, bool training, ISet<Node>? skip, ExecutionOptions options)
    {
        if (!options.InferenceFusion || !_plans.TryGetValue(node, out var planned)) return false;
        var (chain, pool) = (planned.Chain, planned.Pool);
        bool Runs(Node? n) => n is not null && (skip is null || !skip.Contains(n));
        if (!Runs(chain.Bn)) return false;
        Layer convLayer = node.Layer, bnLayer = chain.Bn.Layer;
        var conv = (IFoldableConvolution)convLayer;
        if (((IChannelAffineInInference)bnLayer).UsesBatchStatistics(chain.Bn.Training ?? training)) return false;
        if (convLayer.Weights.Any(v => v.Value.requires_grad) || bnLayer.Weights.Any(v => v.Value.requires_grad)) return false;
        Tensor x = values[node.Inputs[0]];
        if (!convLayer.Built) return false;
        convLayer.CheckInputs([x.shape]);
        var (kernel, bias) = Folded(node, convLayer, bnLayer);
        if (Runs(chain.Relu) && Runs(pool) && TryRunSliced(chain, pool!, convLayer, x, kernel, bias, values, training, options.StemChunkBytes)) return true;
        Tensor y = conv.ConvolveWith(x, kernel, bias);
        values[chain.Bn.Outputs[0]] = y;
        bool inPlace = !torch.is_grad_enabled() || !y.requires_grad;
        if (Runs(chain.Relu))
            values[chain.Relu!.Outputs[0]] = inPlace ? y.relu_() : F.relu(y);
        else if (Runs(chain.Add) && inPlace && values.TryGetValue(chain.Other!, out Tensor? other) && options.FuseAddRelu && AddRelu.Applies(y, other))
        {
            // The residual end of a block: y = relu(y + shortcut) in one pass over memory, into y (its only reader).
            // The shortcut must already exist; where the graph lists its branch later, the Add runs as a layer.
            bool withRelu = Runs(chain.AddRelu);
            if (withRelu) AddRelu.InPlace(y, other);
            else Scalars.AddInPlace(y, other);
            values[chain.Add!.Outputs[0]] = y;
            if (withRelu) values[chain.AddRelu!.Outputs[0]] = y;
        }
        return true;
    }

    /// <summary>The conv → BN → ReLU → pooling chain in slices of the batch (see <see cref="ExecutionOptions.StemChunkBytes"/>).</summary>
    private bool TryRunSliced(FusionChain chain, Node pool, Layer convLayer, Tensor x, Tensor kernel, Tensor bias,
                              Dictionary<SymbolicTensor, Tensor> values, bool training, long stemChunkBytes)
    {
        if (stemChunkBytes <= 0 || torch.is_grad_enabled()) return false;
        var conv = (IFoldableConvolution)convLayer;
        long[] shape = convLayer.ComputeOutputShape(x.shape);
        long perSample = shape[1] * shape[2] * shape[3] * x.element_size();
        long slice = Math.Max(1, stemChunkBytes / Math.Max(1, perSample));
        if (perSample * x.shape[0] < 4 * stemChunkBytes || slice >= x.shape[0]) return false;
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
            values[chain.Bn.Outputs[0]] = pooled;      // each step's only reader is the next: nothing else sees these
            values[chain.Relu!.Outputs[0]] = pooled;
            values[pool.Outputs[0]] = pooled;
            return true;
        }
        finally
        {
            foreach (Tensor t in parts) t.Dispose();
        }
    }

    /// <summary>Frees the folded weights (the model is being disposed); they are folded again if the graph runs after all.</summary>
    internal void Release()
    {
        lock (_lock)
        {
            foreach (var (kernel, bias, _) in _folded.Values)
            {
                kernel.Dispose();
                bias.Dispose();
            }
            _folded.Clear();
        }
    }

    private (Tensor Kernel, Tensor Bias) Folded(Node node, Layer convLayer, Layer bnLayer)
    {
        var conv = (IFoldableConvolution)convLayer;
        Variable[] vars = convLayer.Weights.Concat(bnLayer.Weights).ToArray();
        long[] versions = vars.Select(v => v.Version).ToArray();
        lock (_lock)
        {
            if (_folded.TryGetValue(node, out var f) && f.Versions.SequenceEqual(versions) && f.Kernel.device == conv.Kernel.Value.device)
                return (f.Kernel, f.Bias);
            if (_folded.TryGetValue(node, out var stale)) { stale.Kernel.Dispose(); stale.Bias.Dispose(); }
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            Tensor w = conv.Kernel.Value;
            var (mean, scale, shift) = ((IChannelAffineInInference)bnLayer).InferenceAffine();
            Tensor kernel = w * scale.reshape(-1, 1, 1, 1);   // output channels on axis 0
            Tensor bias = (conv.Bias is null ? -mean : conv.Bias.Value - mean) * scale;
            if (shift is not null) bias = bias + shift;
            kernel = kernel.contiguous().DetachFromDisposeScope();
            bias = bias.contiguous().DetachFromDisposeScope();
            _folded[node] = (kernel, bias, versions);
            return (kernel, bias);
        }
    }
}
