namespace Tanuki;

/// <summary>
/// A chain of a functional graph that the fusions rewrite: a convolution, the normalization that alone reads its output,
/// then a plain ReLU, or a residual addition (<see cref="Other"/> its second input) and maybe a plain ReLU after it. Each
/// link is the only reader of the one before (<see cref="Graph.OnlyConsumerFinder"/>), so a fused run may skip or
/// overwrite the intermediate outputs. Matched on layer capabilities (<see cref="IFoldableConvolution"/>,
/// <see cref="IChannelAffineInInference"/>, <see cref="IElementwiseAdd"/>, <see cref="IMaybeRelu"/>), not on concrete
/// types. <see cref="InferenceFusion"/> and <see cref="TrainingFusion"/> both start from these chains; whether one runs
/// fused is theirs to decide at each step.
/// </summary>
internal sealed record FusionChain(Node Conv, Node Bn, Node? Relu, Node? Add, SymbolicTensor? Other, Node? AddRelu)
{
    /// <summary>The chains of <paramref name="graph"/>, one per convolution that starts one.</summary>
    /// <param name="graph">The graph to search.</param>
    /// <param name="onlyConsumer">The graph's <see cref="Graph.OnlyConsumerFinder"/> (passed in, so a caller extending a
    /// chain reuses the same map).</param>
    internal static List<FusionChain> Find(Graph graph, Func<SymbolicTensor, Node?> onlyConsumer)
    {
        var chains = new List<FusionChain>();
        foreach (Node conv in graph.Nodes)
        {
            // Convolutions and normalizations take one input and give one output (their shape inference refuses more).
            if (!StartsChain(conv.Layer) || conv.Inputs.Length != 1 || conv.Outputs.Length != 1) continue;
            if (onlyConsumer(conv.Outputs[0]) is not Node bn || !FoldsIntoConvolution(bn.Layer) || bn.Inputs.Length != 1 || bn.Outputs.Length != 1) continue;
            Node? next = onlyConsumer(bn.Outputs[0]);
            Node? relu = next is not null && IsPlainRelu(next.Layer) ? next : null;
            Node? add = null, addRelu = null;
            SymbolicTensor? other = null;
            if (next is { Layer: IElementwiseAdd, Inputs.Length: 2, Outputs.Length: 1 } && next.Inputs[0] != next.Inputs[1])
            {
                add = next;
                other = next.Inputs[0] == bn.Outputs[0] ? next.Inputs[1] : next.Inputs[0];
                addRelu = onlyConsumer(next.Outputs[0]) is Node ar && IsPlainRelu(ar.Layer) ? ar : null;
            }
            chains.Add(new FusionChain(conv, bn, relu, add, other, addRelu));
        }
        return chains;
    }

    /// <summary>A convolution with no activation of its own, which a per-channel map after it can fold into.</summary>
    internal static bool StartsChain(Layer layer) => layer is IFoldableConvolution { IsLinear: true };

    /// <summary>A normalization whose inference map is per channel of axis 1 (what a convolution's kernel can absorb).</summary>
    internal static bool FoldsIntoConvolution(Layer layer) => layer is IChannelAffineInInference { OnChannelAxis: true };

    /// <summary>A ReLU with no cap, slope or threshold, as a layer or an activation (<see cref="IMaybeRelu"/>).</summary>
    internal static bool IsPlainRelu(Layer layer) => layer is IMaybeRelu { IsPlainRelu: true };
}
