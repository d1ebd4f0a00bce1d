using Tanuki.Applications;
using Tanuki.Layers;
using Tanuki.Tests.Interop;

namespace Tanuki.Tests.Inference;

/// <summary>Models and helpers the inference-engine tests share.</summary>
internal static class EngineTestModels
{
    /// <summary>
    /// A small functional network with the layer kinds ResNets are made of and a few more: convolution, batch
    /// normalization with non-trivial statistics, a residual Add, a Concatenate, pooling, Dense.
    /// </summary>
    public static Model SmallFunctional(int seed = 3)
    {
        TanukiInfo.SetRandomSeed(seed);
        var input = new Input([3, 12, 12], "image");
        SymbolicTensor a = new Rescaling(1 / 127.5, -1).Call(input);
        a = new Conv2D(8, 3, padding: "same", useBias: false, name: "conv_a").Call(a);
        var bn = new BatchNormalization(name: "bn_a");
        a = new ReLU().Call(bn.Call(a));
        SymbolicTensor b = new Conv2D(8, 1, activation: "relu", name: "conv_b").Call(a);
        SymbolicTensor sum = new Add().Call([a, b])[0];
        SymbolicTensor both = new Concatenate().Call([new MaxPooling2D(2).Call(sum), new AveragePooling2D(2).Call(sum)])[0];
        SymbolicTensor output = new Dense(5, name: "head").Call(new GlobalAveragePooling2D().Call(both));
        var model = new Model(input, output, name: "small");
        var g = new torch.Generator((ulong)seed);
        using var scope = torch.NewDisposeScope();
        bn.MovingMean!.Assign(torch.randn(8, generator: g) * 0.3);
        bn.MovingVariance!.Assign(torch.rand(8, generator: g) + 0.5);
        bn.Gamma!.Assign(torch.rand(8, generator: g) + 0.5);
        bn.Beta!.Assign(torch.randn(8, generator: g) * 0.1);
        return model;
    }

    /// <summary>The ResNet-18 workflow's classifier at a small size: preprocessing → frozen pretrained base → pooling → dropout → Dense.</summary>
    public static Model ResNet18Classifier(int size = 32, int classes = 3, int seed = 1)
    {
        TanukiInfo.SetRandomSeed(seed);
        Model baseModel = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, size, size]);
        baseModel.Trainable = false;
        var input = new Input([3, size, size], "image");
        SymbolicTensor x = baseModel.Call(new ResNet18Preprocessing().Call(input), training: false);
        x = new Dropout(0.2).Call(new GlobalAveragePooling2D().Call(x));
        var head = new Dense(classes, name: "predictions");
        var model = new Model(input, head.Call(x), name: "classifier");
        var g = new torch.Generator((ulong)seed);
        using var scope = torch.NewDisposeScope();
        foreach (Variable v in head.Weights) v.Assign(torch.randn(v.Shape, generator: g) * 0.05);
        return model;
    }

    public static Tensor Images(int count, long size, int seed) => torch.rand([count, 3, size, size], generator: new torch.Generator((ulong)seed)) * 255;

    /// <summary>Predict on the given engine.</summary>
    public static Tensor Predict(Model model, InferenceEngine engine, Tensor x, int batchSize = 32)
    {
        model.Execution.InferenceEngine = engine;
        return model.Predict(x, batchSize);
    }

    /// <summary>max |actual − expected| ≤ 1e-4 × max |expected| (the tolerance).</summary>
    public static void AssertClose(Tensor expected, Tensor actual, string what) => OnnxExportRunner.AssertClose(expected, actual, what);
}
