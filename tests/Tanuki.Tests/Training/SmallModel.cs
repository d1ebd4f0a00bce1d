using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.Training;

/// <summary>
/// The small classifier the Fit tests train, and data of its shape: 6 features → Dense(8, relu) → Dense(3) logits,
/// compiled with Adam(0.01), sparse categorical cross-entropy on logits and accuracy.
/// </summary>
internal static class SmallModel
{
    /// <summary>A new compiled model whose weights are drawn after <see cref="TanukiInfo.SetRandomSeed"/>(<paramref name="seed"/>).</summary>
    public static Model Compiled(int seed)
    {
        TanukiInfo.SetRandomSeed(seed);
        var model = new Sequential(new Input(6), new Dense(8, activation: "relu"), new Dense(3));
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        return model;
    }

    /// <summary><paramref name="n"/> standard normal samples of 6 features and labels 0–2, from their own generator.</summary>
    public static (Tensor X, Tensor Y) Data(long n, int seed)
    {
        var g = new Generator((ulong)seed);
        return (torch.randn(new long[] { n, 6 }, generator: g), torch.randint(0, 3, new long[] { n }, generator: g));
    }
}
