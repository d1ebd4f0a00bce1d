using Tanuki.Losses;
using static Tanuki.Tests.Conformance.Keras;

namespace Tanuki.Tests.Conformance;

/// <summary>
/// keras/src/losses/losses_test.py for the losses Tanuki has: MeanSquaredError, BinaryCrossentropy,
/// CategoricalCrossentropy, SparseCategoricalCrossentropy (Keras's torch-backend branches where the test branches).
/// <para>Skipped, no Tanuki counterpart: the test classes of the other losses (MeanAbsoluteError,
/// MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Hinge, SquaredHinge, CategoricalHinge, CosineSimilarity,
/// Huber, LogCosh, KLDivergence, Poisson, BinaryFocalCrossentropy, CategoricalFocalCrossentropy, CTC, Dice, Tversky,
/// Circle, CategoricalGeneralizedCrossEntropy) — Tanuki does not have those losses; every <c>test_config</c> — losses are
/// not serialized; every <c>test_dtype_arg</c> — no dtype policies; CategoricalCrossentropy's
/// <c>test_warning_for_invalid_shape</c> — a Python SyntaxWarning, and Tanuki losses have no warning channel.</para>
/// </summary>
public class LossesTests
{
    private static readonly Tensor RegTrue = I([2, 3], 1, 9, 2, -5, -2, 6);
    private static readonly Tensor RegPred = F([2, 3], 4, 8, 12, 8, 1, 3);

    // ---- MeanSquaredErrorTest ----

    // losses_test.py::MeanSquaredErrorTest::test_base_function_reduction (the function form is reduction "none")
    [Fact]
    public void MseBaseFunctionReduction()
    {
        Tensor loss = new MeanSquaredError(reduction: null).Call(I(4, 8, 12), I([3, 1], 3, 0, 1));
        Assert.Equal(new long[] { 3 }, loss.shape);
    }

    // losses_test.py::MeanSquaredErrorTest::test_all_correct_unweighted
    [Fact]
    public void MseAllCorrectUnweighted()
    {
        Tensor y = I([2, 3], 4, 8, 12, 8, 1, 3);
        AlmostEqual(0.0, new MeanSquaredError().Call(y, y));
    }

    // losses_test.py::MeanSquaredErrorTest::test_unweighted
    [Fact] public void MseUnweighted() => AlmostEqual(49.5, new MeanSquaredError().Call(RegTrue, RegPred));

    // losses_test.py::MeanSquaredErrorTest::test_scalar_weighted
    [Fact] public void MseScalarWeighted() => AlmostEqual(113.85, new MeanSquaredError().Call(RegTrue, RegPred, sampleWeight: 2.3));

    // losses_test.py::MeanSquaredErrorTest::test_sample_weighted
    [Fact]
    public void MseSampleWeighted() =>
        AlmostEqual(767.8 / 6, new MeanSquaredError().Call(RegTrue, RegPred, sampleWeight: F([2, 1], 1.2, 3.4)));

    // losses_test.py::MeanSquaredErrorTest::test_timestep_weighted
    [Fact]
    public void MseTimestepWeighted()
    {
        Tensor yTrue = I([2, 3, 1], 1, 9, 2, -5, -2, 6);
        Tensor yPred = I([2, 3, 1], 4, 8, 12, 8, 1, 3);
        Tensor sampleWeight = I([2, 3], 3, 6, 5, 0, 4, 2);
        AlmostEqual(97.833336, new MeanSquaredError().Call(yTrue, yPred, sampleWeight: sampleWeight));
    }

    // losses_test.py::MeanSquaredErrorTest::test_zero_weighted
    [Fact] public void MseZeroWeighted() => AlmostEqual(0.0, new MeanSquaredError().Call(RegTrue, RegPred, sampleWeight: 0));

    // losses_test.py::MeanSquaredErrorTest::test_no_reduction
    [Fact]
    public void MseNoReduction() =>
        AlmostEqual([84.3333, 143.3666], new MeanSquaredError(reduction: null).Call(RegTrue, RegPred, sampleWeight: 2.3));

    // losses_test.py::MeanSquaredErrorTest::test_sum_reduction
    [Fact] public void MseSumReduction() => AlmostEqual(227.69998, new MeanSquaredError(reduction: "sum").Call(RegTrue, RegPred, sampleWeight: 2.3));

    // losses_test.py::MeanSquaredErrorTest::test_mean_with_sample_weight_reduction
    [Fact]
    public void MseMeanWithSampleWeightReduction() =>
        AlmostEqual((110.0 / 3 * 1.2 + 187.0 / 3 * 3.4) / (1.2 + 3.4),
            new MeanSquaredError(reduction: "mean_with_sample_weight").Call(RegTrue, RegPred, sampleWeight: F([2, 1], 1.2, 3.4)));

    // ---- BinaryCrossentropyTest ----

    private static readonly Tensor Identity3 = F([3, 3], 1, 0, 0, 0, 1, 0, 0, 0, 1);
    private static readonly Tensor BinTrue = I([2, 2], 1, 0, 1, 0);
    private static readonly Tensor BinPred = F([2, 2], 1, 1, 1, 0);
    private static readonly Tensor BinLogitTrue = I([2, 3], 1, 0, 1, 0, 1, 1);
    private static readonly Tensor BinLogits = F([2, 3], 10, -10, 10, 10, 10, -10);

    // losses_test.py::BinaryCrossentropyTest::test_all_correct_unweighted
    [Fact]
    public void BceAllCorrectUnweighted()
    {
        AlmostEqual(0.0, new BinaryCrossentropy().Call(Identity3, Identity3));
        // Test with logits.
        Tensor logits = F([3, 3], 10, -10, -10, -10, 10, -10, -10, -10, 10);
        AlmostEqual(0.0, new BinaryCrossentropy(fromLogits: true).Call(Identity3, logits));
    }

    // losses_test.py::BinaryCrossentropyTest::test_unweighted
    [Fact]
    public void BceUnweighted()
    {
        Tensor yPred = F([3, 3], 0.9, 0.1, 0.2, 0.3, 0.8, 0.1, 0.1, 0.2, 0.7);
        AllClose(0.20046903, new BinaryCrossentropy().Call(Identity3, yPred));
        AlmostEqual(3.98559, new BinaryCrossentropy().Call(BinTrue, BinPred));
        // Test with logits.
        AlmostEqual(3.3333, new BinaryCrossentropy(fromLogits: true).Call(BinLogitTrue, BinLogits));
    }

    // losses_test.py::BinaryCrossentropyTest::test_scalar_weighted
    [Fact]
    public void BceScalarWeighted()
    {
        AlmostEqual(9.1668, new BinaryCrossentropy().Call(BinTrue, BinPred, sampleWeight: 2.3));
        // Test with logits.
        AlmostEqual(7.666, new BinaryCrossentropy(fromLogits: true).Call(BinLogitTrue, BinLogits, sampleWeight: 2.3));
    }

    // losses_test.py::BinaryCrossentropyTest::test_sample_weighted
    [Fact]
    public void BceSampleWeighted()
    {
        AlmostEqual(4.7827, new BinaryCrossentropy().Call(BinTrue, BinPred, sampleWeight: F([2, 1], 1.2, 3.4)));
        // Test with logits.
        AlmostEqual(10.0, new BinaryCrossentropy(fromLogits: true).Call(BinLogitTrue, BinLogits, sampleWeight: I(4, 3)));
    }

    // losses_test.py::BinaryCrossentropyTest::test_no_reduction
    [Fact]
    public void BceNoReduction() =>
        AllClose([0.0, 6.666], new BinaryCrossentropy(fromLogits: true, reduction: null).Call(BinLogitTrue, BinLogits), atol: 1e-3);

    // losses_test.py::BinaryCrossentropyTest::test_label_smoothing
    [Fact]
    public void BceLabelSmoothing()
    {
        const double labelSmoothing = 0.1;
        Tensor loss = new BinaryCrossentropy(fromLogits: true, labelSmoothing: labelSmoothing).Call(I([1, 3], 1, 0, 1), F([1, 3], 10, -10, -10));
        AlmostEqual((10.0 + 5.0 * labelSmoothing) / 3.0, loss);
    }

    // losses_test.py::BinaryCrossentropyTest::test_shape_mismatch
    [Fact]
    public void BceShapeMismatch()
    {
        Tensor yPred = F([3, 3], 0.9, 0.05, 0.05, 0.5, 0.89, 0.6, 0.05, 0.01, 0.94);
        var e = Assert.Throws<ArgumentException>(() => new BinaryCrossentropy().Call(I([3, 1], 0, 1, 2), yPred));
        Assert.Contains("must have the same shape", e.Message);
    }

    // ---- CategoricalCrossentropyTest ----

    private static readonly Tensor OneHot = I([3, 3], 1, 0, 0, 0, 1, 0, 0, 0, 1);
    private static readonly Tensor Probs = F([3, 3], 0.9, 0.05, 0.05, 0.5, 0.89, 0.6, 0.05, 0.01, 0.94);
    private static readonly Tensor Logits = F([3, 3], 8, 1, 1, 0, 9, 1, 2, 3, 5);
    private static readonly Tensor ColumnWeights = F([3, 1], 1.2, 3.4, 5.6);

    // losses_test.py::CategoricalCrossentropyTest::test_all_correct_unweighted
    [Fact]
    public void CceAllCorrectUnweighted()
    {
        AlmostEqual(0.0, new CategoricalCrossentropy().Call(OneHot, F([3, 3], 1, 0, 0, 0, 1, 0, 0, 0, 1)));
        // Test with logits.
        AlmostEqual(0.0, new CategoricalCrossentropy(fromLogits: true).Call(OneHot, F([3, 3], 10, 0, 0, 0, 10, 0, 0, 0, 10)));
    }

    // losses_test.py::CategoricalCrossentropyTest::test_unweighted
    [Fact]
    public void CceUnweighted()
    {
        AlmostEqual(0.3239, new CategoricalCrossentropy().Call(OneHot, Probs));
        AlmostEqual(0.0573, new CategoricalCrossentropy(fromLogits: true).Call(OneHot, Logits));
    }

    // losses_test.py::CategoricalCrossentropyTest::test_scalar_weighted
    [Fact]
    public void CceScalarWeighted()
    {
        AlmostEqual(0.7449, new CategoricalCrossentropy().Call(OneHot, Probs, sampleWeight: 2.3));
        AlmostEqual(0.1317, new CategoricalCrossentropy(fromLogits: true).Call(OneHot, Logits, sampleWeight: 2.3));
    }

    // losses_test.py::CategoricalCrossentropyTest::test_sample_weighted
    [Fact]
    public void CceSampleWeighted()
    {
        AlmostEqual(1.0696, new CategoricalCrossentropy().Call(OneHot, Probs, sampleWeight: ColumnWeights));
        AlmostEqual(0.31829, new CategoricalCrossentropy(fromLogits: true).Call(OneHot, Logits, sampleWeight: ColumnWeights));
    }

    // losses_test.py::CategoricalCrossentropyTest::test_no_reduction
    [Fact]
    public void CceNoReduction() =>
        AllClose([0.001822, 0.000459, 0.169846], new CategoricalCrossentropy(fromLogits: true, reduction: null).Call(OneHot, Logits));

    // losses_test.py::CategoricalCrossentropyTest::test_label_smoothing and test_label_smoothing_ndarray (the same case)
    [Fact]
    public void CceLabelSmoothing()
    {
        const double labelSmoothing = 0.1;
        Tensor loss = new CategoricalCrossentropy(fromLogits: true, labelSmoothing: labelSmoothing).Call(I([1, 3], 1, 0, 0), F([1, 3], 100, -100, -100));
        AlmostEqual(400.0 * labelSmoothing / 3.0, loss);
    }

    // losses_test.py::CategoricalCrossentropyTest::test_label_smoothing_with_axis
    [Fact]
    public void CceLabelSmoothingWithAxis()
    {
        // (batch, classes, spatial)
        const int numClasses = 3;
        double[] yTrue = [1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0, 0];
        double[] yPred = [0.8, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8, 0.8, 0.1, 0.1, 0.1];
        const double labelSmoothing = 0.1;
        Tensor loss = new CategoricalCrossentropy(labelSmoothing: labelSmoothing, axis: 1).Call(F([2, 3, 2], yTrue), F([2, 3, 2], yPred));

        // expected_loss = mean(-sum(y_true_smoothed * log(y_pred), axis=1))
        double total = 0;
        for (int b = 0; b < 2; b++)
            for (int s = 0; s < 2; s++)
            {
                double sum = 0;
                for (int c = 0; c < numClasses; c++)
                {
                    int i = b * 6 + c * 2 + s;
                    sum += (yTrue[i] * (1.0 - labelSmoothing) + labelSmoothing / numClasses) * Math.Log(yPred[i]);
                }
                total += -sum;
            }
        AlmostEqual(total / 4, loss, decimals: 5);
    }

    // losses_test.py::CategoricalCrossentropyTest::test_shape_mismatch
    [Fact]
    public void CceShapeMismatch()
    {
        var e = Assert.Throws<ArgumentException>(() => new CategoricalCrossentropy().Call(I([3, 1], 0, 1, 2), Probs));
        Assert.Contains("must have the same shape", e.Message);
    }

    // ---- SparseCategoricalCrossentropyTest ----

    private static readonly Tensor LabelColumn = I([3, 1], 0, 1, 2);

    // losses_test.py::SparseCategoricalCrossentropyTest::test_all_correct_unweighted
    [Fact]
    public void ScceAllCorrectUnweighted()
    {
        AlmostEqual(0.0, new SparseCategoricalCrossentropy().Call(LabelColumn, F([3, 3], 1, 0, 0, 0, 1, 0, 0, 0, 1)), 3);
        AlmostEqual(0.0, new SparseCategoricalCrossentropy(fromLogits: true).Call(LabelColumn, F([3, 3], 10, 0, 0, 0, 10, 0, 0, 0, 10)), 3);
    }

    // losses_test.py::SparseCategoricalCrossentropyTest::test_unweighted
    [Fact]
    public void ScceUnweighted()
    {
        AlmostEqual(0.3239, new SparseCategoricalCrossentropy().Call(I(0, 1, 2), Probs), 3);
        AlmostEqual(0.0573, new SparseCategoricalCrossentropy(fromLogits: true).Call(I(0, 1, 2), Logits), 3);
    }

    // losses_test.py::SparseCategoricalCrossentropyTest::test_scalar_weighted
    [Fact]
    public void ScceScalarWeighted()
    {
        AlmostEqual(0.7449, new SparseCategoricalCrossentropy().Call(LabelColumn, Probs, sampleWeight: 2.3), 3);
        AlmostEqual(0.1317, new SparseCategoricalCrossentropy(fromLogits: true).Call(LabelColumn, Logits, sampleWeight: 2.3), 3);
    }

    // losses_test.py::SparseCategoricalCrossentropyTest::test_sample_weighted
    [Fact]
    public void ScceSampleWeighted()
    {
        AlmostEqual(1.0696, new SparseCategoricalCrossentropy().Call(LabelColumn, Probs, sampleWeight: ColumnWeights), 3);
        AlmostEqual(0.31829, new SparseCategoricalCrossentropy(fromLogits: true).Call(LabelColumn, Logits, sampleWeight: ColumnWeights), 3);
    }

    // losses_test.py::SparseCategoricalCrossentropyTest::test_no_reduction
    [Fact]
    public void ScceNoReduction() =>
        AllClose([0.001822, 0.000459, 0.169846], new SparseCategoricalCrossentropy(fromLogits: true, reduction: null).Call(LabelColumn, Logits));

    // losses_test.py::SparseCategoricalCrossentropyTest::test_ignore_class
    [Fact]
    public void ScceIgnoreClass()
    {
        Tensor logits = F([1, 2, 3], 0.854, 0.698, 0.598, 0.088, 0.86, 0.018);
        var loss = new SparseCategoricalCrossentropy(fromLogits: true, ignoreClass: -1, reduction: null);
        AllClose([0.0, 1.480129], loss.Call(I([1, 2], -1, 2), logits));
        AllClose([0.0, 1.480129], loss.Call(I([1, 2, 1], -1, 2), logits));
    }

    private static readonly long[] BinaryLabels = [0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1];

    private static Tensor BinaryPerfect() => F([4, 4, 2],
        1, 0, 0, 1, 0, 1, 1, 0,
        0, 1, 1, 0, 0, 1, 1, 0,
        1, 0, 1, 0, 0, 1, 0, 1,
        0, 1, 0, 1, 1, 0, 0, 1);

    private static Tensor BinaryImperfect() => F([4, 4, 2],
        1, 0, 0, 1, 0, 1, 0.2, 0.8,
        0, 1, 1, 0, 0, 1, 1, 0,
        1, 0, 1, 0, 0, 1, 0, 1,
        0, 1, 0, 1, 1, 0, 0.6, 0.4);

    private static readonly double BinaryExpected = (-Math.Log(0.2) - Math.Log(0.4)) / 16.0;   // 16 pixels

    // losses_test.py::SparseCategoricalCrossentropyTest::test_binary_segmentation
    [Fact]
    public void ScceBinarySegmentation()
    {
        Tensor yTrue = I([4, 4], BinaryLabels);
        AllClose(0.0, new SparseCategoricalCrossentropy().Call(yTrue, BinaryPerfect()));
        AllClose(BinaryExpected, new SparseCategoricalCrossentropy().Call(yTrue, BinaryImperfect()));
    }

    // losses_test.py::SparseCategoricalCrossentropyTest::test_binary_segmentation_different_axis (the torch branch)
    [Fact]
    public void ScceBinarySegmentationDifferentAxis()
    {
        Tensor yTrue = I([4, 4], BinaryLabels);
        AllClose(0.0, new SparseCategoricalCrossentropy(axis: 0).Call(yTrue, BinaryPerfect().movedim([2], [0])));

        Tensor reshaped = BinaryImperfect().movedim([2], [0]);
        AllClose(BinaryExpected, new SparseCategoricalCrossentropy(axis: 0).Call(yTrue, reshaped));

        Tensor batchTrue = torch.stack([yTrue, yTrue, yTrue]);
        Tensor batchPred = torch.stack([reshaped, reshaped, reshaped]);
        AllClose(BinaryExpected, new SparseCategoricalCrossentropy(axis: 1).Call(batchTrue, batchPred));
    }

    // losses_test.py::SparseCategoricalCrossentropyTest::test_squeezes_singleton_class_dim_on_user_axis
    [Fact]
    public void ScceSqueezesSingletonClassDimOnUserAxis()
    {
        var g = new Generator(0);
        Tensor yTrue = torch.randint(0, 2, [2, 1, 4, 4], generator: g).to_type(ScalarType.Float32);
        Tensor yPred = torch.rand([2, 2, 4, 4], generator: g);
        Tensor loss = new SparseCategoricalCrossentropy(axis: 1, reduction: null).Call(yTrue, yPred);
        Assert.Equal(new long[] { 2, 4, 4 }, loss.shape);
    }

    private static readonly long[] MultiLabels = [0, 1, 2, 0, 1, 0, 1, 0, 0, 0, 1, 1, 1, 1, 0, 1];

    private static Tensor MultiPerfect() => F([4, 4, 3],
        1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0,
        0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0,
        1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0,
        0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0);

    private static Tensor MultiImperfect() => F([4, 4, 3],
        1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2, 0, 0.8,
        0.7, 0.3, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0,
        1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0,
        0, 1, 0, 0, 1, 0, 0.5, 0.5, 0, 0, 1, 0);

    private static readonly double MultiExpected = (-Math.Log(0.2) - Math.Log(0.3) - Math.Log(0.5)) / 16.0;   // 16 pixels

    // losses_test.py::SparseCategoricalCrossentropyTest::test_multi_class_segmentation
    [Fact]
    public void ScceMultiClassSegmentation()
    {
        Tensor yTrue = I([4, 4], MultiLabels);
        AllClose(0.0, new SparseCategoricalCrossentropy().Call(yTrue, MultiPerfect()));
        AllClose(MultiExpected, new SparseCategoricalCrossentropy().Call(yTrue, MultiImperfect()));
    }

    // losses_test.py::SparseCategoricalCrossentropyTest::test_multi_class_segmentation_different_axis (the torch branch)
    [Fact]
    public void ScceMultiClassSegmentationDifferentAxis()
    {
        Tensor yTrue = I([4, 4], MultiLabels);
        AllClose(0.0, new SparseCategoricalCrossentropy(axis: 0).Call(yTrue, MultiPerfect().movedim([2], [0])));

        Tensor reshaped = MultiImperfect().movedim([2], [0]);
        AllClose(MultiExpected, new SparseCategoricalCrossentropy(axis: 0).Call(yTrue, reshaped));
        Tensor batchTrue = torch.stack([yTrue, yTrue, yTrue]);
        Tensor batchPred = torch.stack([reshaped, reshaped, reshaped]);
        AllClose(MultiExpected, new SparseCategoricalCrossentropy(axis: 1).Call(batchTrue, batchPred));
    }
}
