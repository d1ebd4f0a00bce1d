using Tanuki.Inference;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static Tanuki.Tests.Inference.EngineTestModels;

namespace Tanuki.Tests.Training;

/// <summary>
/// The frozen-feature pass on ONNX Runtime: the prefix's features equal libtorch's (to 1e-4 of their scale), training on
/// them gives the same head, the prefix's session is built once for as long as the prefix stays frozen, and unfreezing
/// closes it (or replaces it with a session of the smaller prefix).
/// </summary>
[Collection(NonParallel.Name)]   // counts the process's open sessions
public class FeatureCacheEngineTests
{
    private static Tensor[] RunPrefix(Model model, InferenceEngine engine, Tensor x)
    {
        model.Execution.InferenceEngine = engine;
        FeatureCacheDecision found = FrozenPrefix.Find(model, new HashSet<Variable>(model.TrainableWeights));
        FrozenPrefix prefix = found.Prefix ?? throw new InvalidOperationException("no prefix: " + found.Describe());
        return prefix.RunPrefix(x, training: true);
    }

    [Fact]
    public void TheResNet18PrefixGivesLibTorchsFeaturesOnOnnxRuntime()
    {
        Model model = ResNet18Classifier(size: 32);
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(5, 32, seed: 31);
        Tensor[] expected = RunPrefix(model, InferenceEngine.LibTorch, x);
        Tensor[] actual = RunPrefix(model, InferenceEngine.OnnxRuntime, x);
        Assert.Single(expected);
        Assert.Equal([5, 512], expected[0].shape);   // the pooled features: the prefix ends before Dropout
        AssertClose(expected[0], actual[0], "ResNet-18 prefix features");
        Assert.Equal(1, model.PrefixInferencePart!.Builds);
        model.ReleaseInferenceSessions();
    }

    [Fact]
    public void ASequentialsPrefixGivesLibTorchsFeaturesOnOnnxRuntime()
    {
        TanukiInfo.SetRandomSeed(5);
        var conv = new Conv2D(16, 3, padding: "same", name: "conv");
        var bn = new BatchNormalization(name: "bn");
        var model = new Sequential(new Input(3, 10, 10), conv, bn, new ReLU(), new MaxPooling2D(2), new Flatten(), new Dense(4, name: "head"));
        conv.Trainable = false;
        bn.Trainable = false;
        using var scope = torch.NewDisposeScope();
        bn.MovingVariance!.Assign(torch.rand(16) + 0.5);
        Tensor x = Images(9, 10, seed: 37);
        Tensor[] expected = RunPrefix(model, InferenceEngine.LibTorch, x);
        Tensor[] actual = RunPrefix(model, InferenceEngine.OnnxRuntime, x);
        Assert.Equal([9, 400], expected[0].shape);   // everything up to the head
        AssertClose(expected[0], actual[0], "Sequential prefix features");
        model.ReleaseInferenceSessions();
    }

    [Fact]
    public void FitOnOnnxRuntimeFeaturesTrainsTheSameHeadAndBuildsThePrefixOnce()
    {
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(24, 32, seed: 41);
        Tensor y = torch.randint(0, 3, [24], generator: new torch.Generator(41));
        Tensor[] Train(InferenceEngine engine, out Model model)
        {
            model = ResNet18Classifier(size: 32);
            model.Execution.InferenceEngine = engine;
            model.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true));
            TanukiInfo.SetRandomSeed(42);
            model.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, shuffle: false);
            TanukiInfo.SetRandomSeed(43);
            model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false);
            return model.GetLayer("predictions").GetWeights();
        }
        long open = OrtSession.Live;
        Tensor[] expected = Train(InferenceEngine.LibTorch, out Model onTorch);
        Assert.Equal(0, onTorch.PrefixInferencePart!.Builds);
        Tensor[] actual = Train(InferenceEngine.OnnxRuntime, out Model onOrt);
        for (int i = 0; i < expected.Length; i++) AssertClose(expected[i], actual[i], $"head weight {i}");
        Assert.Equal(1, onOrt.PrefixInferencePart!.Builds);            // two Fit calls, one session: the base stayed frozen
        Assert.Equal(open + 1, OrtSession.Live);
        onOrt.ReleaseInferenceSessions();
        Assert.Equal(open, OrtSession.Live);
    }

    [Fact]
    public void UnfreezingReplacesThePrefixSessionOrClosesIt()
    {
        TanukiInfo.SetRandomSeed(7);
        var input = new Input(3, 12, 12);
        var c1 = new Conv2D(8, 3, name: "c1");
        var b1 = new BatchNormalization(name: "b1");
        var c2 = new Conv2D(8, 3, activation: "relu", name: "c2");
        SymbolicTensor h = new GlobalAveragePooling2D().Call(c2.Call(new ReLU().Call(b1.Call(c1.Call(input)))));
        var model = new Model(input, new Dense(3, name: "head").Call(h));
        model.Execution.FeatureCacheMinimumFrozenParameters = 0;   // the small prefixes below are worth caching here
        foreach (Layer l in new Layer[] { c1, b1, c2 }) l.Trainable = false;
        model.Execution.InferenceEngine = InferenceEngine.OnnxRuntime;
        model.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true));
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(8, 12, seed: 43);
        Tensor y = torch.randint(0, 3, [8], generator: new torch.Generator(43));
        long open = OrtSession.Live;
        model.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0);
        InferencePart first = model.PrefixInferencePart!;
        Assert.Equal(1, first.Builds);
        Assert.Equal(open + 1, OrtSession.Live);

        // Unfreeze c2: the frozen prefix shrinks to c1 → b1 → ReLU, and its session replaces the first.
        c2.Trainable = true;
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0);
        Assert.NotSame(first, model.PrefixInferencePart);
        Assert.False(first.HasSession);
        Assert.Equal(1, model.PrefixInferencePart!.Builds);
        Assert.Equal(open + 1, OrtSession.Live);

        // Unfreeze everything: no frozen prefix is left, so its session is closed.
        model.Trainable = true;
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0);
        Assert.Null(model.PrefixInferencePart);
        Assert.Equal(open, OrtSession.Live);
    }
}
