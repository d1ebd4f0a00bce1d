namespace Tanuki.Tests.Layers;

/// <summary>
/// The checks every layer must pass (STYLE.md, convention 7). Given a fresh, unbuilt layer and its inputs it:
/// builds it and checks the weight counts; when a reference case is given, loads the reference weights and compares
/// the eager output with the reference output (tolerance <see cref="Atol"/> + <see cref="Rtol"/>·|expected|);
/// checks the output shape against <c>ComputeOutputShape</c> (concrete, with any batch size, with unknown spatial
/// sizes) and against a symbolic call on <see cref="Input"/>s; freezes and unfreezes it; and rebuilds it from its
/// config after a trip through JSON, requiring the same config and a bit-identical output with the same weights.
/// </summary>
internal static class LayerTestHelper
{
    /// <summary>Default absolute tolerance against the float64 references (inputs and weights are float32).</summary>
    public const double Atol = 1e-5;

    /// <summary>Default relative tolerance.</summary>
    public const double Rtol = 1e-5;

    /// <summary>Checks <paramref name="layer"/> on a reference case; returns the layer's output (a detached copy).</summary>
    public static Tensor Check(Layer layer, ReferenceCase reference, int trainable = 0, int nonTrainable = 0,
                               double atol = Atol, double rtol = Rtol)
    {
        using var scope = torch.NewDisposeScope();
        Tensor y = Run(layer, reference.Inputs, trainable, nonTrainable, reference, atol, rtol);
        return y.detach().clone().MoveToOuterDisposeScope();
    }

    /// <summary>Checks <paramref name="layer"/> on random inputs of the given shapes (batch first); no reference.</summary>
    public static Tensor Check(Layer layer, long[][] inputShapes, int trainable = 0, int nonTrainable = 0)
    {
        using var scope = torch.NewDisposeScope();
        var generator = new Generator(1234);
        Tensor[] inputs = inputShapes.Select(s => torch.randn(s, generator: generator)).ToArray();
        Tensor y = Run(layer, inputs, trainable, nonTrainable, null, Atol, Rtol);
        return y.detach().clone().MoveToOuterDisposeScope();
    }

    private static Tensor Run(Layer layer, Tensor[] inputs, int trainable, int nonTrainable, ReferenceCase? reference,
                              double atol, double rtol)
    {
        Assert.False(layer.Built, "the helper needs a fresh, unbuilt layer");
        long[][] shapes = inputs.Select(t => t.shape).ToArray();
        long[][] anyBatch = shapes.Select(AnyBatch).ToArray();

        // Build, weight counts.
        layer.Build(anyBatch);
        Assert.True(layer.Built);
        Assert.Equal(trainable + nonTrainable, layer.Weights.Count);
        Assert.Equal(trainable, layer.TrainableWeights.Count);
        Assert.Equal(nonTrainable, layer.NonTrainableWeights.Count);
        if (reference is not null)
        {
            foreach (Variable w in layer.Weights)
            {
                Assert.True(reference.Has(w.Name), $"reference case '{reference.Name}' has no value for weight '{w.Name}'");
                w.Assign(reference[w.Name]);
            }
        }

        // Eager output: against the reference and against ComputeOutputShape.
        Tensor y = Call(layer, inputs);
        if (reference is not null) TensorAssert.Close(reference.Expected, y, atol, rtol);
        Assert.Equal(y.shape, Single(layer.ComputeOutputShape(shapes)));
        Assert.Equal(AnyBatch(y.shape), Single(layer.ComputeOutputShape(anyBatch)));

        // Unknown spatial sizes: every size ComputeOutputShape still gives must be the true one.
        long[][] unknown = anyBatch.Select(s => s.Select((d, i) => i >= 2 ? -1 : d).ToArray()).ToArray();
        long[] partial = Single(layer.ComputeOutputShape(unknown));
        Assert.Equal(y.shape.Length, partial.Length);
        for (int i = 1; i < partial.Length; i++)
            Assert.True(partial[i] == -1 || partial[i] == y.shape[i],
                $"with unknown spatial sizes ComputeOutputShape gave {Shapes.Format(partial)}; the true shape is {Shapes.Format(y.shape)}");

        // Symbolic call on Inputs.
        SymbolicTensor[] symbols = shapes.Select(s => (SymbolicTensor)new Input(s[1..])).ToArray();
        SymbolicTensor symbolic = symbols.Length == 1 ? layer.Call(symbols[0]) : Assert.Single(layer.Call(symbols));
        Assert.Equal(AnyBatch(y.shape), symbolic.Shape);

        CheckFreezing(layer, inputs, y);
        CheckConfigRoundTrip(layer, anyBatch, inputs, y);
        return y;
    }

    private static void CheckFreezing(Layer layer, Tensor[] inputs, Tensor y)
    {
        int total = layer.Weights.Count;
        var ownTrainable = layer.Weights.Where(w => w.Trainable).ToHashSet();
        layer.Trainable = false;
        Assert.Empty(layer.TrainableWeights);
        Assert.Equal(total, layer.NonTrainableWeights.Count);
        Assert.All(layer.Weights, w => Assert.False(w.Value.requires_grad, $"frozen weight {w.Path} requires grad"));
        TensorAssert.Equal(y, Call(layer, inputs));   // freezing changes what is trained, not the inference output
        layer.Trainable = true;
        Assert.Equal(ownTrainable.Count, layer.TrainableWeights.Count);
        Assert.Equal(total - ownTrainable.Count, layer.NonTrainableWeights.Count);
        Assert.All(layer.Weights, w => Assert.Equal(ownTrainable.Contains(w), w.Value.requires_grad));
    }

    private static void CheckConfigRoundTrip(Layer layer, long[][] anyBatch, Tensor[] inputs, Tensor y)
    {
        Dictionary<string, object?> config = layer.GetConfig();
        Assert.Equal(layer.Name, config["name"]);
        Assert.Equal(true, config["trainable"]);
        var (clone, ctor) = ConfigConstructor.FromConfig(layer.GetType(), ConfigConstructor.ThroughJson(config));
        Assert.Equal(ConfigConstructor.ToJson(config), ConfigConstructor.ToJson(clone.GetConfig()));
        foreach (var p in ctor.GetParameters())
            Assert.True(config.ContainsKey(Names.SnakeCase(p.Name!)), $"GetConfig of {layer.GetType().Name} lacks constructor argument '{p.Name}'");
        clone.Build(anyBatch);
        clone.SetWeights(layer.GetWeights());
        TensorAssert.Equal(y, Call(clone, inputs));

        // and through the registry Model.Load uses
        Layer loaded = Tanuki.Tests.Saving.LayerConfigAssert.RoundTrip(layer);
        loaded.Build(anyBatch);
        loaded.SetWeights(layer.GetWeights());
        TensorAssert.Equal(y, Call(loaded, inputs));

        layer.Trainable = false;
        var (frozen, _) = ConfigConstructor.FromConfig(layer.GetType(), ConfigConstructor.ThroughJson(layer.GetConfig()));
        Assert.False(frozen.Trainable);
        layer.Trainable = true;
    }

    /// <summary>Calls a layer the way a user would: one tensor, or a list for several inputs.</summary>
    public static Tensor Call(Layer layer, IReadOnlyList<Tensor> inputs, bool? training = null) =>
        inputs.Count == 1 ? layer.Call(inputs[0], training) : Assert.Single(layer.Call(inputs, training));

    private static long[] Single(IReadOnlyList<long[]> shapes) => Assert.Single(shapes);

    private static long[] AnyBatch(long[] shape) => shape.Select((d, i) => i == 0 ? -1 : d).ToArray();
}
