using Tanuki.Data;
using Tanuki.Layers;

namespace Tanuki.Tests.Layers;

public class NormalizationTests
{
    [Fact]
    public void NormalizesPerChannelWithItsWeights() =>
        LayerTestHelper.Check(new Normalization(), ReferenceData.Case("normalization_adapt"), nonTrainable: 2).Dispose();

    [Fact]
    public void NormalizesPerLastAxisAndGlobally()
    {
        LayerTestHelper.Check(new Normalization(axis: -1), ReferenceData.Case("normalization_adapt_last_axis"), nonTrainable: 2).Dispose();
        LayerTestHelper.Check(new Normalization(axis: null), ReferenceData.Case("normalization_adapt_global"), nonTrainable: 2).Dispose();
    }

    [Fact]
    public void FixedStatisticsNeedNoWeights() =>
        LayerTestHelper.Check(new Normalization(mean: [1, 2, 3], variance: [4, 0.25, 9]), ReferenceData.Case("normalization_fixed")).Dispose();

    [Theory]
    [InlineData("normalization_adapt", 1)]
    [InlineData("normalization_adapt_last_axis", -1)]
    [InlineData("normalization_adapt_global", null)]
    public void AdaptOnATensorComputesNumPysMeanAndVariance(string name, int? axis)
    {
        using var scope = torch.NewDisposeScope();
        ReferenceCase c = ReferenceData.Case(name);
        var layer = new Normalization(axis);
        layer.Adapt(c["data"]);
        TensorAssert.Close(c["mean"], layer.Mean!.Value, 1e-5, 1e-6);
        TensorAssert.Close(c["variance"], layer.Variance!.Value, 1e-5, 1e-6);
        TensorAssert.Close(c.Expected, layer.Call(c["x"]), 1e-5, 1e-5);
    }

    [Fact]
    public void AdaptOnADatasetOfUnevenBatchesEqualsAdaptOnAllTheData()
    {
        using var scope = torch.NewDisposeScope();
        ReferenceCase c = ReferenceData.Case("normalization_adapt");
        Tensor data = c["data"];
        var batches = new TensorBatches(data, torch.zeros(data.shape[0]), batchSize: 3, shuffle: true);   // 3 + 3 + 3 + 1
        var layer = new Normalization();
        layer.Adapt(batches);
        TensorAssert.Close(c["mean"], layer.Mean!.Value, 1e-5, 1e-6);
        TensorAssert.Close(c["variance"], layer.Variance!.Value, 1e-5, 1e-6);
    }

    [Fact]
    public void AdaptOnAnUnbatchedDatasetTreatsEachElementAsOneSample()
    {
        using var scope = torch.NewDisposeScope();
        ReferenceCase c = ReferenceData.Case("normalization_adapt_last_axis");
        var layer = new Normalization(axis: -1);
        layer.Adapt(new Samples(c["data"]));
        TensorAssert.Close(c["mean"], layer.Mean!.Value, 1e-5, 1e-6);
        TensorAssert.Close(c["variance"], layer.Variance!.Value, 1e-5, 1e-6);
    }

    /// <summary>A dataset of single samples (no batch dimension), as a user's own Dataset may be.</summary>
    private sealed class Samples(Tensor data) : Dataset
    {
        public override long Cardinality => data.shape[0];
        public override bool IsBatched => false;
        public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator()
        {
            for (long i = 0; i < data.shape[0]; i++) yield return (data[i].clone().DetachFromDisposeScope(), torch.zeros(1).DetachFromDisposeScope());
        }
    }

    [Fact]
    public void AdaptOnAnArrayAndInvert()
    {
        using var scope = torch.NewDisposeScope();
        ReferenceCase c = ReferenceData.Case("normalization_adapt");
        float[] flat = c["data"].data<float>().ToArray();
        var array = new float[10, 3, 4, 5];
        Buffer.BlockCopy(flat, 0, array, 0, flat.Length * sizeof(float));
        var inverse = new Normalization(invert: true);
        inverse.Adapt(array);
        TensorAssert.Close(c["y_invert"], inverse.Call(c["x"]), 1e-5, 1e-5);
    }

    [Fact]
    public void AdaptedStatisticsAreNonTrainableWeightsThatSurviveSetWeights()
    {
        using var scope = torch.NewDisposeScope();
        var layer = new Normalization();
        layer.Adapt(torch.randn(8, 3, 2, 2) * 4 + 7);
        Assert.Equal(new[] { "mean", "variance" }, layer.NonTrainableWeights.Select(w => w.Name));
        Assert.Empty(layer.TrainableWeights);
        var copy = new Normalization();
        copy.Build(new long[] { -1, 3, 2, 2 });
        copy.SetWeights(layer.GetWeights());
        Tensor x = torch.randn(2, 3, 2, 2);
        TensorAssert.Equal(layer.Call(x), copy.Call(x));
    }

    [Fact]
    public void BadArgumentsAndDataAreRejected()
    {
        Assert.Contains("both mean and variance", Assert.Throws<ArgumentException>(() => new Normalization(mean: [1.0])).Message);
        Assert.Contains("same, non-zero length", Assert.Throws<ArgumentException>(() => new Normalization(mean: [1.0, 2], variance: [1.0])).Message);
        Assert.Contains("non-negative", Assert.Throws<ArgumentException>(() => new Normalization(mean: [1.0], variance: [-1.0])).Message);
        var fixedStats = new Normalization(mean: [0.0], variance: [1.0], name: "norm_fixed");
        Assert.Contains("norm_fixed", Assert.Throws<InvalidOperationException>(() => fixedStats.Adapt(torch.zeros(2, 3))).Message);
        var wrongCount = new Normalization(mean: [0.0, 1], variance: [1.0, 1], name: "norm_count");
        var e = Assert.Throws<ArgumentException>(() => wrongCount.Build(new long[] { -1, 3 }));
        Assert.Contains("norm_count", e.Message);
        Assert.Contains("(None, 3)", e.Message);
        var built = new Normalization(name: "norm_built");
        built.Build(new long[] { -1, 3, 4, 4 });
        var d = Assert.Throws<ArgumentException>(() => built.Adapt(torch.zeros(5, 2, 4, 4)));
        Assert.Contains("norm_built", d.Message);
        Assert.Contains("(5, 2, 4, 4)", d.Message);
        var empty = new TensorBatches(torch.zeros(0, 3), torch.zeros(0), batchSize: 4, shuffle: false);
        Assert.Contains("no elements", Assert.Throws<ArgumentException>(() => new Normalization().Adapt(empty)).Message);
    }
}
