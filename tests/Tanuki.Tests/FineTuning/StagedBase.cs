using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;

namespace Tanuki.Tests.FineTuning;

/// <summary>
/// A small stand-in for a pretrained base with named stages, one of them a nested model:
/// stem_dense, stem_bn, stage1_dense, stage1_bn, [stage2: stage2_dense_a, stage2_relu, stage2_dense_b], stage3_dense, stage3_bn
/// — 8 layers holding weights — and a classifier on top.
/// </summary>
internal static class StagedBase
{
    public static Model Create()
    {
        var inputs = new Input(4);
        SymbolicTensor x = new Dense(8, name: "stem_dense").Call(inputs);
        x = new BatchNormalization(name: "stem_bn").Call(x);
        x = new Dense(8, name: "stage1_dense").Call(x);
        x = new BatchNormalization(name: "stage1_bn").Call(x);
        var stage2 = new Sequential(null, [new Dense(8, name: "stage2_dense_a"), new ReLU(name: "stage2_relu"), new Dense(8, name: "stage2_dense_b")], "stage2");
        x = stage2.Call(x);
        x = new Dense(8, name: "stage3_dense").Call(x);
        x = new BatchNormalization(name: "stage3_bn").Call(x);
        return new Model(inputs, x, name: "base");
    }

    /// <summary>The guide's model: the base called with training: false (or not), then a Dense head with 3 logits.</summary>
    public static (Model Classifier, Model Base, Dense Head) Classifier(bool baseInInferenceMode = true, double lr = 1e-2)
    {
        Model baseModel = Create();
        var inputs = new Input(4);
        SymbolicTensor x = baseModel.Call(inputs, training: baseInInferenceMode ? false : null);
        var head = new Dense(3, name: "head");
        var clf = new Model(inputs, head.Call(x), name: "classifier");
        clf.Compile(new Adam(lr), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        return (clf, baseModel, head);
    }

    /// <summary>Three Gaussian blobs in 4-D: something a tiny model can learn in a few epochs.</summary>
    public static (Tensor X, Tensor Y) Data(int n, int seed)
    {
        var g = new torch.Generator((ulong)seed);
        Tensor y = torch.randint(0, 3, n, generator: g);
        Tensor centers = torch.tensor(new float[,] { { 2, 0, 0, 1 }, { 0, 2, 0, -1 }, { 0, 0, 2, 0 } });
        Tensor x = centers.index_select(0, y) + torch.randn(n, 4, generator: g) * 0.7f + 1.5f;   // off-centre, so BN has work
        return (x, y);
    }

    public static Tensor[] Values(IEnumerable<Variable> vars) => vars.Select(v => v.Value.detach().cpu().clone()).ToArray();
}
