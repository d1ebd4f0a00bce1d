using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.FineTuning;

public class UnfreezeTests
{
    private static string[] TrainableLayerNames(Layer model) =>
        model.TrainableWeights.Select(w => w.Path.Split('/')[^2]).Distinct().ToArray();   // the owning layer (paths are Keras's: outer/inner/kernel)

    [Fact]
    public void FromALayerUnfreezesItAndEverythingAfterAndFreezesTheRest()
    {
        Model b = StagedBase.Create();
        IReadOnlyList<Layer> unfrozen = b.Unfreeze(fromLayer: "stage2");
        Assert.Equal(new[] { "stage2_dense_a", "stage2_dense_b", "stage3_dense", "stage3_bn" }, unfrozen.Select(l => l.Name));
        Assert.Equal(new[] { "stage2_dense_a", "stage2_dense_b", "stage3_dense", "stage3_bn" }, TrainableLayerNames(b));
        Assert.Equal(8, b.TrainableWeights.Count);                       // 3 Dense × 2 + BN gamma, beta
        Assert.Equal(b.Weights.Count - 8, b.NonTrainableWeights.Count);
        Assert.True(b.Trainable);
        Assert.False(b.GetLayer("stem_dense").Trainable);
        Assert.All(b.GetLayer("stem_dense").Weights, w => Assert.False(w.Value.requires_grad));
    }

    [Fact]
    public void FromALayerInsideANestedModel()
    {
        Model b = StagedBase.Create();
        b.Unfreeze("stage2_dense_b");
        var stage2 = (Model)b.GetLayer("stage2");
        Assert.True(stage2.Trainable);                                   // partly trainable: it must stay open
        Assert.False(stage2.Layers[0].Trainable);
        Assert.Equal(new[] { "stage2_dense_b", "stage3_dense", "stage3_bn" }, TrainableLayerNames(b));
        b.Unfreeze("stage3");                                            // a prefix; moving the boundary up freezes stage2 whole
        Assert.False(stage2.Trainable);
        Assert.Equal(new[] { "stage3_dense", "stage3_bn" }, TrainableLayerNames(b));
    }

    [Fact]
    public void ByFractionOfTheLayersHoldingWeights()
    {
        Model b = StagedBase.Create();
        Assert.Equal(4, b.Unfreeze(fraction: 0.5).Count);                // 8 layers hold weights
        Assert.Equal(new[] { "stage2_dense_a", "stage2_dense_b", "stage3_dense", "stage3_bn" }, TrainableLayerNames(b));
        Assert.Equal(3, b.Unfreeze(0.3).Count);                          // ceil(2.4)
        Assert.Single(b.Unfreeze(0.01));
        Assert.Equal(new[] { "stage3_bn" }, TrainableLayerNames(b));
        Assert.Equal(8, b.Unfreeze(1.0).Count);
        Assert.Equal(16, b.TrainableWeights.Count);
    }

    [Fact]
    public void FreezeAndUnfreezeAll()
    {
        Model b = StagedBase.Create();
        b.Freeze();
        Assert.Empty(b.TrainableWeights);
        Assert.Equal(8, b.Unfreeze().Count);
        Assert.Equal(16, b.TrainableWeights.Count);                      // 5 Dense × 2 + 3 BN × (gamma, beta)
        Assert.Equal(6, b.NonTrainableWeights.Count);                    // the moving statistics
    }

    [Fact]
    public void OnTheWholeClassifierTheHeadIsAfterTheBase()
    {
        var (clf, b, head) = StagedBase.Classifier();
        clf.Unfreeze("stage3_dense");
        Assert.Equal(new[] { "stage3_dense", "stage3_bn", "head" }, TrainableLayerNames(clf));
        Assert.True(head.Trainable);
        Assert.True(b.Trainable);
    }

    [Fact]
    public void FitAfterUnfreezeChangesOnlyTheUnfrozenLayers()
    {
        TanukiInfo.SetRandomSeed(11);
        var (clf, b, _) = StagedBase.Classifier();
        b.Unfreeze("stage3");
        var frozen = b.NonTrainableWeights;
        Tensor[] before = StagedBase.Values(frozen);
        Tensor[] trainableBefore = StagedBase.Values(b.TrainableWeights);
        var (x, y) = StagedBase.Data(32, seed: 1);
        clf.Fit(x, y, batchSize: 16, epochs: 1, verbose: 0);
        Tensor[] after = StagedBase.Values(frozen);
        for (int i = 0; i < before.Length; i++) TensorAssert.Equal(before[i], after[i]);
        Assert.False(TensorAssert.BitEqual(trainableBefore[0], b.TrainableWeights[0].Value.cpu()));
    }

    [Fact]
    public void AnUnknownNameListsTheLayers()
    {
        Model b = StagedBase.Create();
        var e = Assert.Throws<ArgumentException>(() => b.Unfreeze("stage9"));
        Assert.Contains("No layer named \"stage9\"", e.Message);
        Assert.Contains("stage2_dense_b", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Unfreeze(0.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => b.Unfreeze(1.5));
    }
}
