using Tanuki.Layers;
using Tanuki.Optimizers;
using Tanuki.Tests.Reference;

namespace Tanuki.Tests.Optimizers;

/// <summary>
/// The first three updates of each optimizer against references: torch.optim.SGD for SGD (Keras's form is the
/// same update), Keras's published update rules in float64 NumPy for Adam, AdamW and RMSprop
/// (tools/reference_core.py). Tolerance 1e-6 (float32 arithmetic).
/// </summary>
public class OptimizerReferenceTests
{
    private static readonly ReferenceData Ref = ReferenceData.Load("core.json");

    public static TheoryData<string> Names => new()
    {
        "sgd", "sgd_momentum", "sgd_nesterov", "adam", "adam_lr01", "adamw", "adamw_lr01_wd01", "rmsprop", "rmsprop_centered_momentum",
    };

    private static Optimizer Make(string name) => name switch
    {
        "sgd" => new SGD(),
        "sgd_momentum" => new SGD(0.05, momentum: 0.9),
        "sgd_nesterov" => new SGD(0.05, momentum: 0.9, nesterov: true),
        "adam" => new Adam(),
        "adam_lr01" => new Adam(0.1),
        "adamw" => new AdamW(),
        "adamw_lr01_wd01" => new AdamW(0.1, weightDecay: 0.1),
        "rmsprop" => new RMSprop(),
        "rmsprop_centered_momentum" => new RMSprop(0.01, momentum: 0.5, centered: true),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void FirstThreeStepsMatchTheReference(string name)
    {
        var dense = new Dense(2, useBias: false);
        dense.Build(new long[] { -1, 3 });
        dense.SetWeights([Ref.Tensor("opt.w0")]);
        Optimizer opt = Make(name);
        for (int i = 0; i < 3; i++)
        {
            opt.ApplyGradients([Ref.Tensor($"opt.g{i}")], dense.TrainableWeights);
            TensorAssert.Close(Ref.Tensor($"opt.{name}.step{i + 1}"), dense.Kernel!.Value, atol: 1e-6, rtol: 1e-6);
        }
        Assert.Equal(3, opt.Iterations);
    }

    [Fact]
    public void KerasDefaults()
    {
        var adam = new Adam();
        Assert.Equal((1e-3, 0.9, 0.999, 1e-7), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon));
        Assert.Equal(0.01, new SGD().LearningRate);
        var rms = new RMSprop();
        Assert.Equal((1e-3, 0.9, 1e-7), (rms.LearningRate, rms.Rho, rms.Epsilon));
        Assert.Equal(0.004, new AdamW().WeightDecay);
        Assert.IsType<Adam>(Optimizer.Get("adam"));
        Assert.IsType<RMSprop>(Optimizer.Get("rmsprop"));
        Assert.Throws<ArgumentException>(() => Optimizer.Get("adamax2000"));
    }

    [Fact]
    public void AFrozenVariableIsNeverUpdatedAndStateSurvivesFreezingOthers()
    {
        var a = new Dense(2, useBias: false);
        var b = new Dense(2, useBias: false);
        a.Build(new long[] { -1, 2 });
        b.Build(new long[] { -1, 2 });
        var opt = new Adam(0.1);
        Variable[] vars = [a.Kernel!, b.Kernel!];
        Tensor[] grads = [torch.ones(2, 2), torch.ones(2, 2)];
        opt.ApplyGradients(grads, vars);
        long stateWithBoth = opt.CountParams();
        Assert.Equal(2 * 2 * 4 + 2, stateWithBoth);            // m and v for two 2×2 kernels, the iteration count and the learning rate (as Keras counts)
        a.Trainable = false;
        Tensor frozen = a.Kernel!.Value.clone();
        opt.ApplyGradients(grads, vars);                        // a is skipped: a frozen weight is never changed
        TensorAssert.Equal(frozen, a.Kernel!.Value);
        Assert.Equal(stateWithBoth, opt.CountParams());         // and b's momenta are kept
    }

    [Fact]
    public void GradientsMustMatchVariables()
    {
        var d = new Dense(2, useBias: false);
        d.Build(new long[] { -1, 2 });
        var e = Assert.Throws<ArgumentException>(() => new SGD().ApplyGradients([torch.ones(3, 2)], d.TrainableWeights));
        Assert.Contains("(3, 2)", e.Message);
        Assert.Throws<ArgumentException>(() => new SGD().ApplyGradients([], d.TrainableWeights));
    }
}
