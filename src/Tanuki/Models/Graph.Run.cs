using static TorchSharp.torch;

namespace Tanuki;

internal sealed partial class Graph
{
    /// <summary>
    /// Runs the graph on <paramref name="inputs"/> with <paramref name="options"/> (the calling model's, in context).
    /// Without gradients, intermediates are freed as soon as their last reader has run (<see cref="MemoryPlan"/>), and a
    /// convolutional graph runs on channels-last memory (<see cref="MemoryLayout"/>). Outputs computed in bfloat16
    /// (<see cref="TrainingPrecision.MixedBFloat16"/>) are handed back as float32, unless an input was bfloat16.
    /// </summary>
    public Tensor[] Run(IReadOnlyList<Tensor> inputs, bool training, ExecutionOptions options)
    {
        inputs = AsFloat(inputs);
        var values = new Dictionary<SymbolicTensor, Tensor>();
        bool channelsLast = MemoryLayout.UseChannelsLast(this, inputs, options);
        for (int i = 0; i < Inputs.Length; i++) values[Inputs[i]] = channelsLast ? MemoryLayout.ToChannelsLast(inputs[i]) : inputs[i];
        MemoryPlan.Freeing? freeing = torch.is_grad_enabled() ? null : Memory.Start(values, protect: inputs);
        Walk(values, training, skip: null, options, freeing);
        bool bf16Given = inputs.Any(t => t.dtype == ScalarType.BFloat16);
        return Outputs.Select(o => bf16Given ? values[o] : MixedPrecision.ToFloat32(values[o])).ToArray();
    }

    /// <summary>
    /// Inputs as the float32 an Input takes: integer, boolean or float64 data (images as bytes, labels fed by mistake,
    /// C# double arrays) are converted, as Keras converts what a functional model is given to its inputs' dtype, rather
    /// than failing deep inside libtorch with a dtype error.
    /// </summary>
    internal static IReadOnlyList<Tensor> AsFloat(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.All(t => t.dtype == ScalarType.Float32)) return inputs;
        return inputs.Select(t => t.dtype is ScalarType.Float32 or ScalarType.Float16 or ScalarType.BFloat16 || t.is_complex() ? t : t.to_type(ScalarType.Float32)).ToArray();
    }

    /// <summary>
    /// Runs every node not in <paramref name="skip"/> whose outputs are not already in <paramref name="values"/>,
    /// in topological order, keeping every value (the frozen-feature cache runs the prefix, then the rest from cached
    /// values).
    /// </summary>
    public void RunNodes(Dictionary<SymbolicTensor, Tensor> values, bool training, ISet<Node>? skip, ExecutionOptions options) =>
        Walk(values, training, skip, options, freeing: null);

    /// <summary>
    /// The one node loop: each node runs through a rewrite if one applies (<see cref="InferenceFusion"/> where no
    /// gradient flows through the chain, <see cref="TrainingFusion"/> in a fine-tuning step), else as its layer's call; with
    /// <paramref name="freeing"/>, each value is released once its readers have run. Nested models called here follow
    /// <paramref name="options"/> where they set nothing themselves.
    /// </summary>
    private void Walk(Dictionary<SymbolicTensor, Tensor> values, bool training, ISet<Node>? skip, ExecutionOptions options, MemoryPlan.Freeing? freeing)
    {
        using var running = options.Enter();
        foreach (Node node in Nodes)
        {
            if (skip is not null && skip.Contains(node)) continue;
            if (!node.Outputs.All(values.ContainsKey))
            {
                var before = freeing?.Snapshot();
                if (!Fusion.TryRun(node, values, training, skip, options) &&
                    !(torch.is_grad_enabled() && TrainingFusion.TryRun(node, values, training, skip, options)))
                    RunLayer(node, values, training, options);
                freeing?.HoldNew(before!);
            }
            freeing?.Release(node.Inputs);
        }
    }

    private static void RunLayer(Node node, Dictionary<SymbolicTensor, Tensor> values, bool training, ExecutionOptions options)
    {
        Tensor[] args = new Tensor[node.Inputs.Length];
        for (int k = 0; k < args.Length; k++) args[k] = values[node.Inputs[k]];
        Tensor[] outs;
        // Where nothing needs a gradient (a frozen base on augmented images), running without recording gives the
        // same values and lets a nested model free its intermediates and use channels-last memory.
        using (NoGradientFlows(node, args, options) ? torch.no_grad() : null)
            outs = node.Layer.Call(args, node.Training ?? training);
        for (int k = 0; k < node.Outputs.Length; k++) values[node.Outputs[k]] = outs[k];
    }

    /// <summary>
    /// Whether a node with gradients enabled records nothing anyway: a built layer none of whose weights and none of
    /// whose inputs require a gradient. Only nested models gain from running it under no_grad, so only they are
    /// (<see cref="ExecutionOptions.NoGradForFrozenModels"/>).
    /// </summary>
    private static bool NoGradientFlows(Node node, Tensor[] args, ExecutionOptions options) =>
        options.NoGradForFrozenModels && node.Layer is Model && torch.is_grad_enabled() && node.Layer.Built &&
        args.All(a => !a.requires_grad) && node.Layer.Weights.All(w => !w.Value.requires_grad);
}
