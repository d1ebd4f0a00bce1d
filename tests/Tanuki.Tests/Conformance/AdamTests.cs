using Tanuki.Optimizers;
using static Tanuki.Tests.Conformance.Keras;

namespace Tanuki.Tests.Conformance;

/// <summary>keras/src/optimizers/adam_test.py.</summary>
public class AdamTests
{
    // adam_test.py::AdamTest::test_single_step
    [Fact]
    public void SingleStep()
    {
        var optimizer = new Adam(learningRate: 0.5);
        Variable vars = KerasVariables.Make(1, 2, 3, 4);
        optimizer.ApplyGradients([torch.tensor(new[] { 1f, 6f, 7f, 2f })], [vars]);
        AllClose([0.5, 1.5, 2.5, 3.5], vars.Value, rtol: 1e-4, atol: 1e-4);
    }

    // adam_test.py::AdamTest::test_weight_decay
    [Fact]
    public void WeightDecay() => OptimizerCases.WeightDecay(() => new Adam(learningRate: 1.0, weightDecay: 0.004));

    // adam_test.py::AdamTest::test_correctness_with_golden
    [Fact]
    public void CorrectnessWithGolden()
    {
        double[][] golden =
        [
            [0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999],
            [0.9982, 0.9982, 0.9982, 0.9982, 0.9982, 0.9982, 0.9982, 0.9982, 0.9982, 0.9982],
            [0.9974, 0.9974, 0.9974, 0.9974, 0.9974, 0.9974, 0.9974, 0.9974, 0.9974, 0.9974],
            [0.9965, 0.9965, 0.9965, 0.9965, 0.9965, 0.9965, 0.9965, 0.9965, 0.9965, 0.9965],
            [0.9955, 0.9955, 0.9955, 0.9955, 0.9955, 0.9955, 0.9955, 0.9955, 0.9955, 0.9955],
        ];
        OptimizerCases.CorrectnessWithGolden(new Adam(amsgrad: true), golden);
    }

    // adam_test.py::AdamTest::test_clip_norm
    [Fact]
    public void ClipNorm() =>
        AllClose([Math.Sqrt(2) / 2, Math.Sqrt(2) / 2], new Adam(clipNorm: 1).ClipGradients([torch.tensor(new[] { 100f, 100f })])[0]);

    // adam_test.py::AdamTest::test_clip_value
    [Fact]
    public void ClipValue() => AllClose([1.0, 1.0], new Adam(clipValue: 1).ClipGradients([torch.tensor(new[] { 100f, 100f })])[0]);

    // Skipped, no Tanuki counterpart:
    // test_config — optimizers are not serialized.
    // test_ema, test_ema_overwrite_frequency — no exponential moving average of weights.
    // test_clipnorm_indexed_slices — TensorFlow only.
}
