using Tanuki.Optimizers;
using static Tanuki.Tests.Conformance.Keras;

namespace Tanuki.Tests.Conformance;

/// <summary>keras/src/optimizers/sgd_test.py.</summary>
public class SGDTests
{
    // sgd_test.py::SGDTest::test_single_step (Keras's two optimizer variables, the iteration count and the learning
    // rate, are what CountParams counts for an SGD without momentum)
    [Fact]
    public void SingleStep()
    {
        var optimizer = new SGD(learningRate: 0.5);
        Variable vars = KerasVariables.Make(1, 2, 3, 4);
        optimizer.ApplyGradients([torch.tensor(new[] { 1f, 6f, 7f, 2f })], [vars]);
        AllClose([0.5, -1.0, -0.5, 3.0], vars.Value, rtol: 1e-4, atol: 1e-4);
        Assert.Equal(2, optimizer.CountParams());
        Assert.Equal(1, optimizer.Iterations);
        Assert.Equal(0.5, optimizer.LearningRate);
    }

    // sgd_test.py::SGDTest::test_invalid_momentum
    [Fact]
    public void InvalidMomentum()
    {
        Assert.Contains("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(momentum: -1.0)).Message);
        Assert.Contains("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new SGD(momentum: 2.0)).Message);
    }

    // sgd_test.py::SGDTest::test_weight_decay
    [Fact]
    public void WeightDecay() => OptimizerCases.WeightDecay(() => new SGD(learningRate: 1.0, weightDecay: 0.004));

    // sgd_test.py::SGDTest::test_correctness_with_golden
    [Fact]
    public void CorrectnessWithGolden()
    {
        double[][] golden =
        [
            [0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999],
            [0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899],
            [0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799],
            [0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699],
            [0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599],
        ];
        OptimizerCases.CorrectnessWithGolden(new SGD(nesterov: true), golden);
    }

    // sgd_test.py::SGDTest::test_clip_norm
    [Fact]
    public void ClipNorm() =>
        AllClose([Math.Sqrt(2) / 2, Math.Sqrt(2) / 2], new SGD(clipNorm: 1).ClipGradients([torch.tensor(new[] { 100f, 100f })])[0]);

    // sgd_test.py::SGDTest::test_clip_value
    [Fact]
    public void ClipValue() => AllClose([1.0, 1.0], new SGD(clipValue: 1).ClipGradients([torch.tensor(new[] { 100f, 100f })])[0]);

    // Skipped, no Tanuki counterpart:
    // test_config — optimizers are not serialized.
}
