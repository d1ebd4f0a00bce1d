using Tanuki.Optimizers;
using static Tanuki.Tests.Conformance.Keras;

namespace Tanuki.Tests.Conformance;

/// <summary>keras/src/optimizers/optimizer_test.py (the base optimizer).</summary>
[Collection(NonParallel.Name)]   // captures standard error for the missing-gradient warning
public class OptimizerTests
{
    // optimizer_test.py::OptimizerTest::test_iterations_counter
    [Fact]
    public void IterationsCounter()
    {
        Variable v = KerasVariables.Make([2, 2], [1, 2, 3, 4]);
        Tensor grads = torch.ones(2, 2);
        var optimizer = new Adam(learningRate: 1.0);
        Assert.Equal(0, optimizer.Iterations);
        optimizer.ApplyGradients([grads], [v]);
        Assert.Equal(1, optimizer.Iterations);
        optimizer.ApplyGradients([grads], [v]);
        Assert.Equal(2, optimizer.Iterations);
    }

    // optimizer_test.py::OptimizerTest::test_empty_gradients
    [Fact]
    public void EmptyGradients()
    {
        // Test no valid gradient
        Variable v = KerasVariables.Make([2, 2], [3, 4, 5, 6]);
        var e = Assert.Throws<ArgumentException>(() => new SGD(learningRate: 1.0).ApplyGradients([null], [v]));
        Assert.Contains("No gradients provided for any variable", e.Message);

        // Test filtering of empty gradients
        Variable v2 = KerasVariables.Make([2, 2], [3, 4, 5, 6]);
        var optimizer = new SGD(learningRate: 1.0);
        var error = new StringWriter();
        TextWriter old = Console.Error;
        Console.SetError(error);
        try { optimizer.ApplyGradients([null, torch.ones(2, 2)], [v, v2]); }
        finally { Console.SetError(old); }
        Assert.Contains("Gradients do not exist for variables", error.ToString());
        AllClose([3, 4, 5, 6], v.Value);
        AllClose([2, 3, 4, 5], v2.Value);
    }

    // optimizer_test.py::OptimizerTest::test_clip_args
    [Fact]
    public void ClipArgs()
    {
        Assert.Equal(0.1, new SGD(learningRate: 1.0, clipNorm: 0.1).ClipNorm);
        Assert.Equal(0.1, new SGD(learningRate: 1.0, clipValue: 0.1).ClipValue);
        Assert.Equal(0.1, new SGD(learningRate: 1.0, globalClipNorm: 0.1).GlobalClipNorm);

        // Test invalid arguments
        var e = Assert.Throws<ArgumentException>(() => new SGD(learningRate: 1.0, clipNorm: 0.1, clipValue: 0.1));
        Assert.Contains("Only one of clipNorm, clipValue and globalClipNorm can", e.Message);
        e = Assert.Throws<ArgumentException>(() => new SGD(learningRate: 1.0, clipNorm: 0.1, globalClipNorm: 0.1));
        Assert.Contains("Only one of clipNorm, clipValue and globalClipNorm can", e.Message);
    }

    // optimizer_test.py::OptimizerTest::test_clip_norm
    [Fact]
    public void ClipNorm() =>
        AllClose([Math.Sqrt(2) / 2, Math.Sqrt(2) / 2], new SGD(clipNorm: 1).ClipGradients([torch.tensor(new[] { 100f, 100f })])[0]);

    // optimizer_test.py::OptimizerTest::test_clip_value
    [Fact]
    public void ClipValue() =>
        AllClose([1.0, 1.0], new SGD(clipValue: 1).ClipGradients([torch.tensor(new[] { 100f, 100f })])[0]);

    // optimizer_test.py::OptimizerTest::test_global_clip_norm
    [Fact]
    public void GlobalClipNorm()
    {
        float[] grad = [50f, 100f];
        double globalNorm = Math.Sqrt(50.0 * 50 + 100.0 * 100);
        AllClose(grad.Select(g => g / globalNorm).ToArray(), new SGD(globalClipNorm: 1).ClipGradients([torch.tensor(grad)])[0]);
    }

    // optimizer_test.py::OptimizerTest::test_get_method (Keras's get(None) has no C# counterpart)
    [Fact]
    public void GetMethod()
    {
        Assert.IsType<SGD>(Optimizer.Get("sgd"));
        Assert.IsType<AdamW>(Optimizer.Get("adamw"));
        Assert.Throws<ArgumentException>(() => Optimizer.Get("typo"));
    }

    // Skipped, no Tanuki counterpart:
    // test_ema, test_ema_with_model_fit — no exponential moving average of weights.
    // test_constraints_are_applied — no weight constraints.
    // test_static_loss_scaling — no loss scaling.
    // test_set_weights — optimizer state is not exposed as a list of variables.
    // test_gradient_accumulation, test_overwrite_with_gradient_with_gradient_accumulation,
    //   test_gradient_accumulation_with_weigth_decay — no gradient accumulation.
    // test_overwrite_with_gradient — no overwrite_with_gradient variables.
    // test_tf_checkpointing, test_mixed_with_tf_variables — TensorFlow only.
    // test_callable_learning_rate, test_setting_lr_to_callable_untracks_lr_var — the learning rate is a number
    //   (schedules are callbacks: LearningRateScheduler).
    // test_pickleable_optimizers — no pickling.
    // test_optimizer_auto_naming — an optimizer's Name is its Keras type name (Optimizer.Get's key), not a unique
    //   per-instance name (see docs/keras-differences.md).
}
