using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Models;

/// <summary>A frozen nested model that no gradient flows through runs without recording, with the same results.</summary>
public class FrozenNodeTests
{
    /// <summary>Records whether gradients were enabled when it ran.</summary>
    private sealed class GradProbe : Layer
    {
        public List<bool> GradEnabled { get; } = new();

        protected override Tensor Forward(Tensor inputs, bool training)
        {
            GradEnabled.Add(torch.is_grad_enabled());
            return inputs;
        }

        public override long[] ComputeOutputShape(long[] inputShape) => inputShape;
    }

    private static (Model Model, Model Base, GradProbe Probe, Dense Head) Build()
    {
        TanukiInfo.SetRandomSeed(3);
        var probe = new GradProbe();
        var baseIn = new Input(3, 8, 8);
        var b = new ReLU().Call(new BatchNormalization().Call(new Conv2D(4, 3, padding: "same").Call(baseIn)));
        var baseModel = new Model(baseIn, probe.Call(b), name: "base");
        var inputs = new Input(3, 8, 8);
        var flipped = new RandomFlip("horizontal", seed: 1).Call(inputs);         // random: the feature cache stays off
        var head = new Dense(2);
        var model = new Model(inputs, head.Call(new GlobalAveragePooling2D().Call(baseModel.Call(flipped, training: false))));
        baseModel.Trainable = false;
        model.Compile(new Adam(1e-2), new SparseCategoricalCrossentropy(fromLogits: true));
        return (model, baseModel, probe, head);
    }

    private static Tensor TrainHead(bool noGrad, out List<bool> gradEnabled)
    {
        var (model, _, probe, head) = Build();
        model.Execution.NoGradForFrozenModels = noGrad;
        // Weights and data from a generator of the test's own, not the process-wide one other test classes draw from.
        var g = new torch.Generator(4);
        foreach (Variable w in model.Weights) w.Assign(torch.rand(w.Shape, generator: g) + 0.1);
        Tensor x = torch.rand([12, 3, 8, 8], generator: g) * 255, y = torch.randint(0, 2, [12], generator: g);
        model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, shuffle: false);
        gradEnabled = probe.GradEnabled;
        return head.Kernel!.Value.detach().clone();
    }

    [Fact]
    public void AFrozenBaseOnAugmentedImagesRunsWithoutRecordingAndTrainsTheSameHead()
    {
        Tensor with = TrainHead(noGrad: true, out var enabledWith);
        Tensor without = TrainHead(noGrad: false, out var enabledWithout);
        Assert.Equal(6, enabledWith.Count);                      // 3 steps × 2 epochs, the base on every step
        Assert.All(enabledWith, e => Assert.False(e));
        Assert.All(enabledWithout, e => Assert.True(e));
        TensorAssert.Close(without, with, atol: 1e-6, rtol: 1e-6);
    }

    [Fact]
    public void ABaseWithTrainableWeightsStillRecords()
    {
        var (model, baseModel, probe, _) = Build();
        baseModel.Trainable = true;
        model.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true));
        model.Fit(torch.rand(4, 3, 8, 8), torch.randint(0, 2, [4], dtype: ScalarType.Int64), batchSize: 4, epochs: 1, verbose: 0);
        Assert.Equal([true], probe.GradEnabled);
    }
}
