using Tanuki.Optimizers;
using static Tanuki.Tests.Conformance.Keras;

namespace Tanuki.Tests.Conformance;

/// <summary>
/// The cases Keras's per-optimizer test files (adam_test.py, adamw_test.py, rmsprop_test.py, sgd_test.py) repeat with
/// only the optimizer and the golden values changed: each file's test names them and passes its own.
/// </summary>
internal static class OptimizerCases
{
    /// <summary>
    /// <c>test_weight_decay</c>: three optimizers made by <paramref name="make"/> (learning rate 1, weight decay 0.004) on
    /// zero gradients; a variable excluded by name or by reference keeps its value, the others decay to 1.9760959.
    /// </summary>
    public static void WeightDecay(Func<Optimizer> make)
    {
        Tensor grads = torch.zeros([]);
        Variable var1 = KerasVariables.Scalar(2.0f), var2 = KerasVariables.Scalar(2.0f, name: "exclude"), var3 = KerasVariables.Scalar(2.0f);
        Optimizer optimizer1 = make();
        optimizer1.ApplyGradients([grads], [var1]);

        Optimizer optimizer2 = make();
        optimizer2.ExcludeFromWeightDecay(varNames: ["exclude"]);
        optimizer2.ApplyGradients([grads, grads], [var1, var2]);

        Optimizer optimizer3 = make();
        optimizer3.ExcludeFromWeightDecay(varList: [var3]);
        optimizer3.ApplyGradients([grads, grads], [var1, var3]);

        AlmostEqual(1.9760959, var1.Values()[0], decimals: 6);
        AlmostEqual(2.0, var2.Values()[0], decimals: 6);
        AlmostEqual(2.0, var3.Values()[0], decimals: 6);
    }

    /// <summary>
    /// <c>test_correctness_with_golden</c>: ten ones, one step with gradients of 0.01, then 0.1 … 1.0 for each later step;
    /// the values before each of those steps are <paramref name="golden"/>'s rows (Keras's tolerance, 5e-4).
    /// </summary>
    public static void CorrectnessWithGolden(Optimizer optimizer, double[][] golden)
    {
        Variable x = KerasVariables.Make(Enumerable.Repeat(1f, 10).ToArray());
        Tensor grads = torch.arange(0.1, 1.1, 0.1, ScalarType.Float32);
        Tensor firstGrads = torch.full(10, 0.01f);
        optimizer.ApplyGradients([firstGrads], [x]);
        foreach (double[] row in golden)
        {
            AllClose(row, x.Value, rtol: 5e-4, atol: 5e-4);
            optimizer.ApplyGradients([grads], [x]);
        }
    }
}
