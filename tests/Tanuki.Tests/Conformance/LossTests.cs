using Tanuki.Losses;
using static Tanuki.Tests.Conformance.Keras;

namespace Tanuki.Tests.Conformance;

/// <summary>
/// keras/src/losses/loss_test.py: the base Loss's weighting and reduction. Keras attaches masks to tensors; Tanuki has
/// no such masks, so the mask cases use a loss whose <c>ValidMask</c> returns the same mask (the reduction then does
/// what Keras's does with a tensor mask).
/// </summary>
public class LossTests
{
    /// <summary>Keras's <c>ExampleLoss</c>: <c>(y_true - y_pred) ** 2</c>, optionally with a fixed mask.</summary>
    private sealed class ExampleLoss(string? reduction = "sum_over_batch_size", Tensor? mask = null) : Loss("example_loss", reduction)
    {
        protected override Tensor PerSample(Tensor yTrue, Tensor yPred) => (yTrue - yPred).square();

        protected override Tensor? ValidMask(Tensor yTrue, Tensor yPred) => mask;
    }

    private static readonly double[] YTrue = [1.0, 0.0, 1.0, 0.0];
    private static readonly double[] YPred = [0.1, 0.2, 0.3, 0.4];
    private static readonly double[] Weights = [0.4, 0.3, 0.2, 0.1];
    private static readonly bool[] MaskValues = [true, false, true, true];

    private static double SumOf(Func<int, double> f, int n = 4) => Enumerable.Range(0, n).Sum(f);

    // loss_test.py::LossTest::test_squeeze_or_expand
    [Fact]
    public void SqueezeOrExpand()
    {
        var (x1, x2) = LossReduction.SqueezeOrExpandToSameRank(torch.ones(3), torch.ones(3, 1));
        Assert.Equal(new long[] { 3, 1 }, x1.shape);
        Assert.Equal(new long[] { 3, 1 }, x2.shape);

        (x1, x2) = LossReduction.SqueezeOrExpandToSameRank(torch.ones(3, 2), torch.ones(3, 2, 1));
        Assert.Equal(new long[] { 3, 2 }, x1.shape);
        Assert.Equal(new long[] { 3, 2 }, x2.shape);

        (x2, x1) = LossReduction.SqueezeOrExpandToSameRank(torch.ones(3, 1), torch.ones(3));
        Assert.Equal(new long[] { 3, 1 }, x1.shape);
        Assert.Equal(new long[] { 3, 1 }, x2.shape);

        (x2, x1) = LossReduction.SqueezeOrExpandToSameRank(torch.ones(3, 2, 1), torch.ones(3, 2));
        Assert.Equal(new long[] { 3, 2 }, x1.shape);
        Assert.Equal(new long[] { 3, 2 }, x2.shape);
    }

    // loss_test.py::LossTest::test_reduction
    [Fact]
    public void Reduction()
    {
        Tensor yTrue = F(YTrue), yPred = F(YPred);

        Tensor loss = new ExampleLoss(reduction: null).Call(yTrue, yPred);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        AllClose(YTrue.Zip(YPred, (t, p) => (t - p) * (t - p)).ToArray(), loss);

        loss = new ExampleLoss(reduction: "sum").Call(yTrue, yPred);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        AllClose(SumOf(i => Math.Pow(YTrue[i] - YPred[i], 2)), loss);

        loss = new ExampleLoss(reduction: "sum_over_batch_size").Call(yTrue, yPred);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        AllClose(SumOf(i => Math.Pow(YTrue[i] - YPred[i], 2)) / 4, loss);

        var e = Assert.Throws<ArgumentException>(() => new ExampleLoss(reduction: "abc"));
        Assert.Contains("Invalid value for argument", e.Message);
    }

    // loss_test.py::LossTest::test_mask
    [Fact]
    public void Mask()
    {
        double[] maskedTrue = [1.0, 1.0, 0.0], maskedPred = [0.1, 0.3, 0.4];
        Tensor loss = new ExampleLoss(mask: torch.tensor(MaskValues)).Call(F(YTrue), F(YPred));
        Assert.Equal(ScalarType.Float32, loss.dtype);
        AllClose(SumOf(i => Math.Pow(maskedTrue[i] - maskedPred[i], 2), 3) / 3, loss);

        // Test edge case where everything is masked.
        loss = new ExampleLoss(mask: torch.tensor(new[] { false, false, false, false })).Call(F(YTrue), F(YPred));
        Assert.Equal(ScalarType.Float32, loss.dtype);
        AllClose(0, loss);   // No NaN.
    }

    // loss_test.py::LossTest::test_sample_weight
    [Fact]
    public void SampleWeight()
    {
        Tensor loss = new ExampleLoss().Call(F(YTrue), F(YPred), sampleWeight: torch.tensor(Weights));
        Assert.Equal(ScalarType.Float32, loss.dtype);
        AllClose(SumOf(i => Weights[i] * Math.Pow(YTrue[i] - YPred[i], 2)) / 4, loss);

        // Test edge case where every weight is 0.
        loss = new ExampleLoss().Call(F(YTrue), F(YPred), sampleWeight: torch.zeros(4, ScalarType.Float64));
        Assert.Equal(ScalarType.Float32, loss.dtype);
        AllClose(0, loss);   // No NaN.
    }

    private static double MaskedWeightedMean()
    {
        double[] w = [0.4, 0.2, 0.1], t = [1.0, 1.0, 0.0], p = [0.1, 0.3, 0.4];
        return SumOf(i => w[i] * Math.Pow(t[i] - p[i], 2), 3) / 3;
    }

    // loss_test.py::LossTest::test_mask_and_sample_weight
    [Fact]
    public void MaskAndSampleWeight()
    {
        Tensor loss = new ExampleLoss(mask: torch.tensor(MaskValues)).Call(F(YTrue), F(YPred), sampleWeight: torch.tensor(Weights));
        Assert.Equal(ScalarType.Float32, loss.dtype);
        AllClose(MaskedWeightedMean(), loss);
    }

    // loss_test.py::LossTest::test_mask_and_sample_weight_rank2
    [Fact]
    public void MaskAndSampleWeightRank2()
    {
        // check loss of inputs with duplicate rows doesn't change
        Tensor rank1 = new ExampleLoss(mask: torch.tensor(MaskValues)).Call(F(YTrue), F(YPred), sampleWeight: torch.tensor(Weights));

        // duplicate rows
        Tensor Tile(Tensor t) => t.unsqueeze(0).tile([2, 1]);
        Tensor rank2 = new ExampleLoss(mask: Tile(torch.tensor(MaskValues)))
            .Call(Tile(F(YTrue)), Tile(F(YPred)), sampleWeight: Tile(torch.tensor(Weights)));
        AllClose(rank1.item<float>(), rank2);
    }

    // loss_test.py::LossTest::test_rank_adjustment (named parameters: mask, sample_weight, ys)
    [Theory]
    [InlineData("mask")]
    [InlineData("sample_weight")]
    [InlineData("ys")]
    public void RankAdjustment(string uprank)
    {
        Tensor sampleWeight = torch.tensor(Weights), yTrue = F(YTrue), yPred = F(YPred), mask = torch.tensor(MaskValues);
        if (uprank == "mask") mask = mask.unsqueeze(-1);
        else if (uprank == "sample_weight") sampleWeight = sampleWeight.unsqueeze(-1);
        else
        {
            yTrue = yTrue.unsqueeze(-1);
            yPred = yPred.unsqueeze(-1);
        }
        Tensor loss = new ExampleLoss(mask: mask).Call(yTrue, yPred, sampleWeight: sampleWeight);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        AllClose(MaskedWeightedMean(), loss);
    }

    // loss_test.py::LossTest::test_mixed_dtypes
    [Fact]
    public void MixedDtypes()
    {
        Tensor sampleWeight = torch.tensor(Weights);   // float64
        Tensor yTrue = torch.tensor(new[] { 1, 0, 1, 0 });   // int32
        Tensor yPred = F(YPred);   // float32
        Tensor loss = new ExampleLoss().Call(yTrue, yPred, sampleWeight: sampleWeight);
        Assert.Equal(ScalarType.Float32, loss.dtype);
        AllClose(SumOf(i => Weights[i] * Math.Pow(YTrue[i] - (float)YPred[i], 2)) / 4, loss);
    }

    // loss_test.py::LossTest::test_get_method (Loss.Get; Keras's get(None) has no C# counterpart)
    [Fact]
    public void GetMethod()
    {
        Assert.IsType<MeanSquaredError>(Loss.Get("mse"));
        Assert.Throws<ArgumentException>(() => Loss.Get("typo"));
    }

    // Skipped, no Tanuki counterpart:
    // test_pickle — Tanuki losses are not serialized (models are saved without their compile state).
    // test_dtype_arg, test_default_dtype — Tanuki has no dtype policies; a loss computes in its predictions' dtype.
}
