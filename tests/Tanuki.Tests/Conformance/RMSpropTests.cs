using Tanuki.Optimizers;
using static Tanuki.Tests.Conformance.Keras;

namespace Tanuki.Tests.Conformance;

/// <summary>keras/src/optimizers/rmsprop_test.py.</summary>
public class RMSpropTests
{
    // rmsprop_test.py::RMSpropTest::test_single_step
    [Fact]
    public void SingleStep()
    {
        var optimizer = new RMSprop(learningRate: 0.5);
        Variable vars = KerasVariables.Make(1, 2, 3, 4);
        optimizer.ApplyGradients([torch.tensor(new[] { 1f, 6f, 7f, 2f })], [vars]);
        AllClose([-0.5811, 0.4189, 1.4189, 2.4189], vars.Value, rtol: 1e-4, atol: 1e-4);
    }

    // rmsprop_test.py::RMSpropTest::test_weight_decay
    [Fact]
    public void WeightDecay() => OptimizerCases.WeightDecay(() => new RMSprop(learningRate: 1.0, weightDecay: 0.004));

    // rmsprop_test.py::RMSpropTest::test_correctness_with_golden
    [Fact]
    public void CorrectnessWithGolden()
    {
        double[][] golden =
        [
            [0.9967, 0.9967, 0.9967, 0.9967, 0.9967, 0.9967, 0.9967, 0.9967, 0.9967, 0.9967],
            [0.9933, 0.9933, 0.9933, 0.9933, 0.9933, 0.9933, 0.9933, 0.9933, 0.9933, 0.9933],
            [0.9908, 0.9908, 0.9908, 0.9908, 0.9908, 0.9908, 0.9908, 0.9908, 0.9908, 0.9908],
            [0.9885, 0.9885, 0.9885, 0.9885, 0.9885, 0.9885, 0.9885, 0.9885, 0.9885, 0.9885],
            [0.9864, 0.9864, 0.9864, 0.9864, 0.9864, 0.9864, 0.9864, 0.9864, 0.9864, 0.9864],
        ];
        OptimizerCases.CorrectnessWithGolden(new RMSprop(centered: true), golden);
    }

    // rmsprop_test.py::RMSpropTest::test_clip_norm
    [Fact]
    public void ClipNorm() =>
        AllClose([Math.Sqrt(2) / 2, Math.Sqrt(2) / 2], new RMSprop(clipNorm: 1).ClipGradients([torch.tensor(new[] { 100f, 100f })])[0]);

    // rmsprop_test.py::RMSpropTest::test_clip_value
    [Fact]
    public void ClipValue() => AllClose([1.0, 1.0], new RMSprop(clipValue: 1).ClipGradients([torch.tensor(new[] { 100f, 100f })])[0]);

    // Skipped, no Tanuki counterpart:
    // test_config — optimizers are not serialized.
}
