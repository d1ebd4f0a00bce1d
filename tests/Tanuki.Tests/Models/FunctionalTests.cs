using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Models;

/// <summary>Functional models: several inputs and outputs, shared layers, nested models, fixed training flags.</summary>
public class FunctionalTests
{
    private static Tensor Run(Layer layer, Tensor x)
    {
        using var _ = torch.no_grad();
        return layer.Call(x);
    }

    [Fact]
    public void MultipleInputsAndOutputsComputeWhatTheLayersComputeOneByOne()
    {
        var a = new Input([3], "fa");
        var b = new Input([2], "fb");
        var da = new Dense(4, name: "fda");
        var db = new Dense(4, name: "fdb");
        var sum = new PairSum("fsum").Call([da.Call(a), db.Call(b)])[0];
        var o1 = new Dense(1, name: "fo1");
        var o2 = new Dense(2, activation: "softmax", name: "fo2");
        var model = new Model([a, b], [o1.Call(sum), o2.Call(sum)], "two_in_two_out");

        Assert.Equal(["fa", "fb", "fda", "fdb", "fsum", "fo1", "fo2"], model.Layers.Select(l => l.Name));
        Assert.IsType<InputLayer>(model.Layers[0]);
        Assert.Equal(2, model.Inputs.Count);
        Assert.Equal(2, model.Outputs.Count);
        Assert.Equal(new long[] { -1, 2 }, model.Outputs[1].Shape);

        Tensor xa = torch.rand(5, 3), xb = torch.rand(5, 2);
        Tensor[] y;
        using (torch.no_grad()) y = model.Call([xa, xb]);
        Tensor s = Run(da, xa) + Run(db, xb);
        TensorAssert.Equal(Run(o1, s), y[0]);
        TensorAssert.Equal(Run(o2, s), y[1]);
        Assert.Same(da, model.GetLayer("fda"));
    }

    [Fact]
    public void ASharedLayerIsOneLayerWithOneSetOfWeightsCalledTwice()
    {
        var a = new Input([3], "sa");
        var b = new Input([3], "sb");
        var shared = new Dense(2, name: "shared");
        var model = new Model([a, b], [shared.Call(a), shared.Call(b)]);

        Assert.Equal(3, model.Layers.Count);
        Assert.Equal(2, model.Weights.Count);
        Assert.Equal(8, model.CountParams());
        Tensor xa = torch.rand(4, 3), xb = torch.rand(4, 3);
        Tensor[] y;
        using (torch.no_grad()) y = model.Call([xa, xb]);
        TensorAssert.Equal(Run(shared, xa), y[0]);
        TensorAssert.Equal(Run(shared, xb), y[1]);
    }

    [Fact]
    public void ALayerWithTwoOutputsFeedsTwoConsumers()
    {
        var x = new Input([3], "split_in");
        SymbolicTensor[] parts = new Split("split").Call([x]);
        var d = new Dense(2, name: "split_dense");
        var model = new Model(x, new PairSum("split_sum").Call([d.Call(parts[0]), d.Call(parts[1])])[0]);
        Tensor input = torch.rand(3, 3);
        Tensor expected = Run(d, input) + Run(d, -input);
        TensorAssert.Equal(expected, Run(model, input));
    }

    [Fact]
    public void ModelsAndSequentialsNestInsideEachOther()
    {
        var innerSeq = new Sequential(new Input(4), [new Dense(3, activation: "relu"), new Dense(3)], "inner_seq");
        var fin = new Input([3], "inner_in");
        var innerDense = new Dense(2, activation: "tanh");
        var innerFunc = new Model(fin, innerDense.Call(fin), "inner_func");

        // functional ⊃ Sequential ⊃ functional
        var middle = new Sequential(new Input(4), [innerSeq, innerFunc], "middle");
        var inputs = new Input([4], "outer_in");
        var head = new Dense(1, name: "outer_head");
        var outer = new Model(inputs, head.Call(middle.Call(inputs)), "outer");

        Assert.Equal(["outer_in", "middle", "outer_head"], outer.Layers.Select(l => l.Name));
        Assert.Equal(["inner_seq", "inner_func"], middle.Layers.Select(l => l.Name));   // a Sequential leaves its Input out
        Assert.Equal(["inner_in", innerDense.Name], innerFunc.Layers.Select(l => l.Name)); // a functional model lists it
        Assert.Same(middle, outer.GetLayer("middle"));
        Assert.Equal(4 * 3 + 3 + 3 * 3 + 3 + 3 * 2 + 2 + 2 + 1, outer.CountParams());
        Assert.Equal(8, outer.Weights.Count);

        Tensor x = torch.rand(6, 4);
        TensorAssert.Equal(Run(head, Run(innerFunc, Run(innerSeq, x))), Run(outer, x));
        outer.Trainable = false;
        Assert.False(innerDense.Trainable);
        Assert.Empty(outer.TrainableWeights);
    }

    [Fact]
    public void ABaseCalledWithTrainingFalseStaysInInferenceModeWhileTheOuterModelFits()
    {
        var (model, baseModel, bn) = GuideModel(fixInference: true);
        Assert.True(baseModel.Trainable);                  // not frozen: its weights train...
        Tensor[] stats = [bn.MovingMean!.Value.clone(), bn.MovingVariance!.Value.clone()];
        Tensor kernel = baseModel.Layers[0].GetWeights()[0];
        Fit(model);
        TensorAssert.Equal(stats[0], bn.MovingMean.Value);  // ...but its BatchNormalization runs in inference mode
        TensorAssert.Equal(stats[1], bn.MovingVariance.Value);
        Assert.False(TensorAssert.BitEqual(kernel, baseModel.Layers[0].GetWeights()[0]), "the base's Dense did not train");
    }

    [Fact]
    public void WithoutAFixedFlagTheBaseFollowsTheOuterModelIntoTrainingMode()
    {
        var (model, _, bn) = GuideModel(fixInference: false);
        Tensor mean = bn.MovingMean!.Value.clone();
        Fit(model);
        Assert.False(TensorAssert.BitEqual(mean, bn.MovingMean.Value), "the moving mean did not move in training mode");
    }

    [Fact]
    public void TrainingTrueFixedAtANodeStaysOnInInference()
    {
        var x = new Input([1000], "mc_in");
        var model = new Model(x, new Dropout(0.9, seed: 3).Call(x, training: true));
        Tensor y = model.Predict(torch.ones(1, 1000));
        long zeros = y.eq(0).sum().item<long>();
        Assert.InRange(zeros, 800, 980);                    // dropout is active although Predict runs in inference
        Assert.True(y.eq(0).logical_or(y.sub(10).abs().lt(1e-4)).all().item<bool>(), "kept values are scaled by 1 / (1 - rate)");
    }

    internal static (Model Model, Sequential Base, BatchNormalization Bn) GuideModel(bool fixInference)
    {
        var bn = new BatchNormalization();
        var baseModel = new Sequential(new Input(4), [new Dense(6), bn], null);
        using (torch.no_grad())
        {
            bn.MovingMean!.Assign(torch.full(6, 0.25f));
            bn.MovingVariance!.Assign(torch.full(6, 2f));
        }
        var inputs = new Input(4);
        var x = fixInference ? baseModel.Call(inputs, training: false) : baseModel.Call(inputs);
        var model = new Model(inputs, new Dense(1).Call(x));
        return (model, baseModel, bn);
    }

    private static void Fit(Model model)
    {
        model.Compile(new SGD(0.05), new MeanSquaredError());
        model.Fit(torch.rand(16, 4), torch.rand(16, 1), batchSize: 8, epochs: 2, verbose: 0);
    }
}
