using Tanuki.Layers;

namespace Tanuki.Tests.Models;

/// <summary>Folding frozen Conv2D → BatchNormalization (→ ReLU) chains is exact and applies only where it may.</summary>
public class InferenceFusionTests
{
    private static (Model Model, BatchNormalization[] Norms) Build()
    {
        TanukiInfo.SetRandomSeed(21);
        var inputs = new Input(3, 16, 16);
        var c1 = new Conv2D(8, 3, padding: "same");
        var b1 = new BatchNormalization();
        var x = new ReLU().Call(b1.Call(c1.Call(inputs)));
        var c2 = new Conv2D(8, (3, 3), padding: "same", useBias: false);
        var b2 = new BatchNormalization(epsilon: 1e-5);
        var y = new Add().Call(b2.Call(c2.Call(x)), x);
        y = new Activation("relu").Call(y);
        var outputs = new Dense(4).Call(new GlobalAveragePooling2D().Call(y));
        var model = new Model(inputs, outputs);
        foreach (var bn in new[] { b1, b2 })   // statistics far from the identity, so a wrong fold shows
            bn.SetWeights([torch.rand(8) + 0.5, torch.randn(8), torch.randn(8), torch.rand(8) + 0.2]);
        return (model, [b1, b2]);
    }

    private static Tensor Run(Model m, Tensor x, bool fused)
    {
        m.Execution.InferenceFusion = fused;
        return m.Predict(x);
    }

    [Fact]
    public void AFrozenModelRunsFusedAndMatchesTheUnfusedPath()
    {
        var (model, _) = Build();
        model.Trainable = false;
        Assert.Equal(2, model.FunctionalGraph!.Fusion.Chains);
        Tensor x = torch.rand(5, 3, 16, 16) * 255;
        Tensor plain = Run(model, x, fused: false);
        Tensor fused = Run(model, x, fused: true);
        TensorAssert.Close(plain, fused, atol: 1e-4, rtol: 1e-5);
        Assert.False(TensorAssert.BitEqual(plain, fused), "fusion did not run (the outputs are bit-identical)");
    }

    [Fact]
    public void NewWeightsAreFoldedAgain()
    {
        var (model, norms) = Build();
        model.Trainable = false;
        Tensor x = torch.rand(2, 3, 16, 16);
        Run(model, x, fused: true);
        norms[0].SetWeights([torch.rand(8) + 0.5, torch.randn(8), torch.randn(8), torch.rand(8) + 0.2]);
        TensorAssert.Close(Run(model, x, fused: false), Run(model, x, fused: true), atol: 1e-4, rtol: 1e-5);
    }

    private static Tensor RunAddRelu(Model m, Tensor x, bool addRelu)
    {
        m.Execution.FuseAddRelu = addRelu;
        return Run(m, x, fused: true);
    }

    [Fact]
    public void TheResidualAdditionAndReluRunInOnePassAndMatchTheUnfusedPath()
    {
        var (model, _) = Build();
        model.Trainable = false;
        Assert.Equal(1, model.FunctionalGraph!.Fusion.ResidualChains);   // c2 → b2 → Add(x) → relu
        Tensor x = torch.rand(4, 3, 16, 16) * 255;
        Tensor plain = Run(model, x, fused: false);
        TensorAssert.Close(plain, RunAddRelu(model, x, addRelu: true), atol: 1e-4, rtol: 1e-5);
        TensorAssert.Close(plain, RunAddRelu(model, x, addRelu: false), atol: 1e-4, rtol: 1e-5);
        using (torch.no_grad())
        {
            Tensor a = torch.randn(2, 3, 4, 5), b = torch.randn(2, 3, 4, 5);
            Tensor expected = (a + b).relu();
            Assert.True(AddRelu.Applies(a, b));
            Assert.Same(a, AddRelu.InPlace(a, b));
            TensorAssert.Equal(expected, a);                                // exactly relu(a + b), written into a
            Assert.False(AddRelu.Applies(a, torch.randn(3, 4, 5)));        // broadcasting: the ordinary path
            Assert.False(AddRelu.Applies(a.to(torch.float64), b.to(torch.float64)));
        }
    }

    [Fact]
    public void AShortcutComputedAfterTheMainBranchStillGivesTheRightSum()
    {
        // Add(main, shortcut), both ending in conv → BN: the chain that runs first cannot add the other branch (it does
        // not exist yet), the one that runs second adds the first's output into its own.
        TanukiInfo.SetRandomSeed(5);
        var inputs = new Input(4, 12, 12);
        var main = new BatchNormalization().Call(new Conv2D(6, 3, padding: "same").Call(inputs));
        var shortcut = new BatchNormalization().Call(new Conv2D(6, 1).Call(inputs));
        var y = new ReLU().Call(new Add().Call(main, shortcut));
        var model = new Model(inputs, new GlobalAveragePooling2D().Call(y));
        model.Trainable = false;
        Assert.Equal(2, model.FunctionalGraph!.Fusion.ResidualChains);
        Tensor x = torch.randn(3, 4, 12, 12);
        TensorAssert.Close(Run(model, x, fused: false), RunAddRelu(model, x, addRelu: true), atol: 1e-4, rtol: 1e-5);
    }

    [Fact]
    public void ALargeStemRunsInSlicesOfTheBatchWithTheSameOutputs()
    {
        TanukiInfo.SetRandomSeed(8);
        var inputs = new Input(3, 16, 16);
        var bn = new BatchNormalization();
        var x = new ReLU().Call(bn.Call(new Conv2D(8, 3, strides: 2, padding: "same").Call(inputs)));   // 8×8×8 floats: 2 KiB a sample
        x = new MaxPooling2D(2).Call(x);
        var model = new Model(inputs, new Dense(3).Call(new GlobalAveragePooling2D().Call(x)));
        bn.SetWeights([torch.rand(8) + 0.5, torch.randn(8), torch.randn(8), torch.rand(8) + 0.2]);
        model.Trainable = false;
        Tensor images = torch.rand(9, 3, 16, 16) * 255;
        InferenceFusion fusion = model.FunctionalGraph!.Fusion;
        model.Execution.StemChunkBytes = 0;
        Tensor whole = model.Predict(images, batchSize: 9);
        Assert.Equal(0, fusion.SlicedRuns);
        model.Execution.StemChunkBytes = 4096;                  // slices of 2 samples; 9 × 2 KiB ≥ 4 slices' worth
        Tensor sliced = model.Predict(images, batchSize: 9);
        Assert.Equal(1, fusion.SlicedRuns);
        TensorAssert.Close(whole, sliced, atol: 1e-5, rtol: 1e-5);
        model.Predict(images[..7], batchSize: 7);              // 14 KiB < 16 KiB: small enough to run whole
        Assert.Equal(1, fusion.SlicedRuns);
    }

    [Fact]
    public void TrainableLayersAreNeverFused()
    {
        var (model, _) = Build();
        Tensor x = torch.rand(2, 3, 16, 16);
        TensorAssert.Equal(Run(model, x, fused: false), Run(model, x, fused: true));   // trainable: same path, bit for bit
    }

    [Fact]
    public void ChannelsLastInferenceGivesTheSameOutputsAndOnlyRunsWithoutGradients()
    {
        var (model, _) = Build();
        model.Trainable = false;
        Tensor x = torch.rand(3, 3, 16, 16) * 255;
        model.Execution.ChannelsLastInference = false;
        Tensor plain = model.Predict(x);
        using (torch.no_grad()) Assert.False(MemoryLayout.UseChannelsLast(model.FunctionalGraph!, [x], model.Execution));
        model.Execution.ChannelsLastInference = true;
        Tensor cl = model.Predict(x);
        TensorAssert.Close(plain, cl, atol: 1e-4, rtol: 1e-5);
        using (torch.no_grad()) Assert.True(MemoryLayout.UseChannelsLast(model.FunctionalGraph!, [x], model.Execution));
        model.Trainable = true;
        Assert.False(MemoryLayout.UseChannelsLast(model.FunctionalGraph!, [x], model.Execution));        // gradients flow, 16² images: default layout
        model.Execution.ChannelsLastTrainingMinimumPixels = 16 * 16;
        Assert.True(MemoryLayout.UseChannelsLast(model.FunctionalGraph!, [x], model.Execution));         // images as large as the threshold: channels-last
        model.Execution.ChannelsLastTraining = false;
        Assert.False(MemoryLayout.UseChannelsLast(model.FunctionalGraph!, [x], model.Execution));        // unless the options turn it off
        Assert.True(MemoryLayout.IsChannelsLast(MemoryLayout.ToChannelsLast(x)));
        TensorAssert.Equal(x, MemoryLayout.ToChannelsLast(x));
    }
}
