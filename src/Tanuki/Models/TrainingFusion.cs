using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// The fine-tuning step: a convolution (Conv2D or DepthwiseConv2D, any <see cref="IFoldableConvolution"/>) followed by
/// a BatchNormalization in inference mode (any <see cref="IChannelAffineInInference"/>) runs as one convolution while
/// gradients are recorded. In inference mode the
/// normalization is a fixed per-channel affine map, so the convolution runs with <c>W·s</c> and <c>(b − μ)·s + β</c>,
/// <c>s = γ/√(σ²+ε)</c>, computed from the live weights at every step: autograd differentiates through the fold, so
/// the kernel, bias, gamma and beta get the gradients the separate layers would give (tested), and the step skips the
/// normalization's pass over the activations forward and backward. A ReLU after the chain runs in place on the
/// convolution's output, and a residual Add (with its ReLU) adds into it in place, as PyTorch's ResNet blocks do:
/// libtorch's one-pass <c>_add_relu_</c> (<see cref="AddRelu"/>) has no derivative, so it serves inference only.
/// Moving statistics are read, never updated; a normalization on batch statistics (training mode and trainable) is
/// never folded. Switched by <see cref="ExecutionOptions.FuseFineTuningStep"/> of the run's options (a nested base
/// follows its caller's, <see cref="ExecutionOptions.InContext"/>); it runs in the graph's one node loop after
/// <see cref="InferenceFusion"/>, which takes the chains no gradient flows through.
/// </summary>
internal sealed class TrainingFusion
{
    private readonly Dictionary<Node, FusionChain> _chains;
    private long _folds;

    public TrainingFusion(Graph graph) =>
        _chains = FusionChain.Find(graph, graph.OnlyConsumerFinder()).ToDictionary(c => c.Conv);

    /// <summary>The number of convolution → BatchNormalization chains that can be folded.</summary>
    public int Chains => _chains.Count;

    /// <summary>How many chains ran folded so far (tests count them).</summary>
    public long Folds => Interlocked.Read(ref _folds);

    /// <summary>Runs the chain starting at <paramref name="node"/> folded, if it can; false to run it node by node.</summary>
    public bool TryRun(Node node, Dictionary<SymbolicTensor, Tensor> values, bool training, ISet<Node>? skip, ExecutionOptions options)
    {
        if (!options.FuseFineTuningStep || !torch.is_grad_enabled() || !_chains.TryGetValue(node, out var chain)) return false;
        // A node runs here only if the walk would run it: not skipped, its outputs not already known (a cache cut there).
        bool Runs(Node? n) => n is not null && (skip is null || !skip.Contains(n)) && !n.Outputs.Any(values.ContainsKey);
        if (!Runs(chain.Bn)) return false;
        if (((IChannelAffineInInference)chain.Bn.Layer).UsesBatchStatistics(chain.Bn.Training ?? training)) return false;
        Tensor x = values[node.Inputs[0]];
        if (Convolve(node.Layer, chain.Bn.Layer, x) is not Tensor y) return false;
        Interlocked.Increment(ref _folds);
        values[chain.Bn.Outputs[0]] = y;
        // y is the convolution's fresh output and the normalization's only reader was the layer that follows, so it
        // may change in place: the convolution's backward needs its input and kernel, not its output.
        if (Runs(chain.Relu))
            values[chain.Relu!.Outputs[0]] = y.relu_();
        else if (Runs(chain.Add) && values.TryGetValue(chain.Other!, out Tensor? other) && other.shape.SequenceEqual(y.shape) && other.dtype == y.dtype)
        {
            // The residual end of a block. The shortcut must already exist; where the graph lists its branch later,
            // the Add runs as a layer.
            y.add_(other);
            values[chain.Add!.Outputs[0]] = y;
            if (Runs(chain.AddRelu)) values[chain.AddRelu!.Outputs[0]] = y.relu_();
        }
        return true;
    }

    /// <summary>
    /// The Sequential form: runs <paramref name="layers"/>[<paramref name="start"/>] and the BatchNormalization after it
    /// (and a ReLU after that) folded on <paramref name="x"/>, if it can; returns how many layers ran (0: none).
    /// </summary>
    public static int TryRun(IReadOnlyList<Layer> layers, int start, ref Tensor x, bool training, ExecutionOptions options)
    {
        if (!options.FuseFineTuningStep || !torch.is_grad_enabled() || start + 1 >= layers.Count) return 0;
        if (!FusionChain.StartsChain(layers[start]) || !FusionChain.FoldsIntoConvolution(layers[start + 1])) return 0;
        if (((IChannelAffineInInference)layers[start + 1]).UsesBatchStatistics(training)) return 0;
        if (Convolve(layers[start], layers[start + 1], x) is not Tensor y) return 0;
        if (start + 2 < layers.Count && FusionChain.IsPlainRelu(layers[start + 2]))
        {
            x = y.relu_();
            return 3;
        }
        x = y;
        return 2;
    }

    /// <summary>
    /// The convolution with the normalization folded into its weights, through autograd; null where the layers are not
    /// built for this input (the walk then runs them one by one and reports the problem).
    /// </summary>
    private static Tensor? Convolve(Layer convLayer, Layer normLayer, Tensor x)
    {
        if (!convLayer.Built || !normLayer.Built || x.dim() != 4) return null;
        convLayer.CheckInputs([x.shape]);
        var conv = (IFoldableConvolution)convLayer;
        Tensor w = conv.Kernel.Value;
        // (x − μ)·s + β with s = γ/√(σ²+ε), from the live weights: the moving statistics are constants here (never
        // updated, no gradient), γ and β live weights whose gradients flow through the folded kernel and bias.
        var (mean, scale, shift) = ((IChannelAffineInInference)normLayer).InferenceAffine();
        if (mean.shape[0] != w.shape[0]) return null;
        Tensor kernel = w * scale.reshape(-1, 1, 1, 1);   // output channels on axis 0
        Tensor bias = (conv.Bias is null ? mean.neg() : conv.Bias.Value - mean) * scale;
        if (shift is not null) bias = bias + shift;
        return conv.ConvolveWith(x, kernel, bias);
    }
}
