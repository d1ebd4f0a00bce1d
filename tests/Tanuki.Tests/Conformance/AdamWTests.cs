using Tanuki.Optimizers;
using static Tanuki.Tests.Conformance.Keras;

namespace Tanuki.Tests.Conformance;

/// <summary>keras/src/optimizers/adamw_test.py.</summary>
public class AdamWTests
{
    // adamw_test.py::AdamWTest::test_single_step
    [Fact]
    public void SingleStep()
    {
        var optimizer = new AdamW(learningRate: 0.5);
        Variable vars = KerasVariables.Make(1, 2, 3, 4);
        optimizer.ApplyGradients([torch.tensor(new[] { 1f, 6f, 7f, 2f })], [vars]);
        AllClose([0.4980, 1.4960, 2.494, 3.492], vars.Value, rtol: 1e-4, atol: 1e-4);
    }

    // adamw_test.py::AdamWTest::test_weight_decay
    [Fact]
    public void WeightDecay() => OptimizerCases.WeightDecay(() => new AdamW(learningRate: 1.0, weightDecay: 0.004));

    // adamw_test.py::AdamWTest::test_correctness_with_golden
    [Fact]
    public void CorrectnessWithGolden()
    {
        double[][] golden =
        [
            [0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
            [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
            [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
            [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
            [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159],
        ];
        OptimizerCases.CorrectnessWithGolden(new AdamW(learningRate: 1.0, weightDecay: 0.5, epsilon: 2), golden);
    }

    // adamw_test.py::AdamWTest::test_clip_norm
    [Fact]
    public void ClipNorm() =>
        AllClose([Math.Sqrt(2) / 2, Math.Sqrt(2) / 2], new AdamW(clipNorm: 1).ClipGradients([torch.tensor(new[] { 100f, 100f })])[0]);

    // adamw_test.py::AdamWTest::test_clip_value
    [Fact]
    public void ClipValue() => AllClose([1.0, 1.0], new AdamW(clipValue: 1).ClipGradients([torch.tensor(new[] { 100f, 100f })])[0]);

    // Skipped, no Tanuki counterpart:
    // test_config — optimizers are not serialized.
    // test_weight_decay_is_none — AdamW's weightDecay is a double; C# cannot pass None.
}
