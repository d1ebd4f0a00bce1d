using Tanuki.Inference;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static Tanuki.Tests.Inference.EngineTestModels;

namespace Tanuki.Tests.Inference;

/// <summary>
/// ONNX Runtime as the engine of Predict and Evaluate: the same numbers as libtorch (to 1e-4 of the output's scale), one
/// session reused while nothing changes and rebuilt when a weight it covers changes, libtorch when forced or where ONNX
/// Runtime cannot give the same numbers, and nothing left behind.
/// </summary>
[Collection(NonParallel.Name)]   // counts the process's open sessions and OrtValues
public class OrtEngineTests
{
    [Fact]
    public void PredictOnOnnxRuntimeMatchesLibTorchOnASmallFunctionalModel()
    {
        Model model = SmallFunctional();
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(23, 12, seed: 5);
        // Batches of 7: the slices start inside x's memory, and the last one is short.
        Tensor expected = Predict(model, InferenceEngine.LibTorch, x, batchSize: 7);
        Tensor actual = Predict(model, InferenceEngine.OnnxRuntime, x, batchSize: 7);
        AssertClose(expected, actual, "small functional model");
        Assert.Equal(new EngineChoice(InferenceEngine.OnnxRuntime, EngineReason.ForcedOnnxRuntime), model.WholeInference.LastChoice);
        Assert.Equal(1, model.WholeInference.Builds);
        model.ReleaseInferenceSessions();
    }

    [Fact]
    public void PredictOnOnnxRuntimeMatchesLibTorchOnTheResNet18Classifier()
    {
        Model model = ResNet18Classifier(size: 32);
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(6, 32, seed: 7);
        Tensor expected = Predict(model, InferenceEngine.LibTorch, x, batchSize: 4);
        Tensor actual = Predict(model, InferenceEngine.OnnxRuntime, x, batchSize: 4);
        AssertClose(expected, actual, "ResNet-18 classifier at 32²");
        model.ReleaseInferenceSessions();
    }

    [Fact]
    public void TestTimeAugmentationRunsBothViewsOnOnnxRuntime()
    {
        Model model = SmallFunctional();
        model.TestTimeAugmentation = TestTimeAugmentation.HorizontalFlip;
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(10, 12, seed: 13);
        Tensor expected = Predict(model, InferenceEngine.LibTorch, x, batchSize: 4);
        Tensor actual = Predict(model, InferenceEngine.OnnxRuntime, x, batchSize: 4);
        AssertClose(expected, actual, "small functional model, outputs averaged with the mirrored images'");
        Assert.Equal(new EngineChoice(InferenceEngine.OnnxRuntime, EngineReason.ForcedOnnxRuntime), model.WholeInference.LastChoice);
        Assert.Equal(1, model.WholeInference.Builds);   // the image and its mirror on one session

        // The average really is over both views: without it the outputs differ.
        model.TestTimeAugmentation = TestTimeAugmentation.None;
        Tensor plain = Predict(model, InferenceEngine.OnnxRuntime, x, batchSize: 4);
        Tensor mirrored = Predict(model, InferenceEngine.OnnxRuntime, x.flip(-1), batchSize: 4);
        AssertClose((plain + mirrored) / 2, actual, "the average of the image's and its mirror's outputs");
        Assert.False(plain.allclose(actual, rtol: 1e-4, atol: 1e-5));
        model.ReleaseInferenceSessions();
    }

    [Fact]
    public void EvaluateOnOnnxRuntimeMatchesLibTorch()
    {
        Model model = SmallFunctional();
        model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(40, 12, seed: 9);
        Tensor y = torch.randint(0, 5, [40], generator: new torch.Generator(9));
        model.Execution.InferenceEngine = InferenceEngine.LibTorch;
        var expected = model.Evaluate(x, y, batchSize: 16, verbose: 0);
        model.Execution.InferenceEngine = InferenceEngine.OnnxRuntime;
        var actual = model.Evaluate(x, y, batchSize: 16, verbose: 0);
        Assert.True(model.WholeInference.HasSession);
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.True(Math.Abs(expected["loss"] - actual["loss"]) <= 1e-4 * Math.Abs(expected["loss"]), $"loss {actual["loss"]} vs libtorch's {expected["loss"]}");
        Assert.Equal(expected["accuracy"], actual["accuracy"]);
        model.ReleaseInferenceSessions();
    }

    [Fact]
    public void TheSessionIsReusedWhileNothingChangesAndRebuiltWhenAWeightChanges()
    {
        Model model = SmallFunctional();
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(8, 12, seed: 11);
        long open = OrtSession.Live;
        Predict(model, InferenceEngine.OnnxRuntime, x);
        Predict(model, InferenceEngine.OnnxRuntime, x);
        Predict(model, InferenceEngine.OnnxRuntime, x, batchSize: 3);
        Assert.Equal(1, model.WholeInference.Builds);
        Assert.Equal(open + 1, OrtSession.Live);

        // SetWeights on one layer: the next call rebuilds, and sees the new weights.
        Layer head = model.GetLayer("head");
        head.SetWeights(head.GetWeights().Select(w => w * 2).ToArray());
        Tensor afterSetWeights = Predict(model, InferenceEngine.OnnxRuntime, x);
        Assert.Equal(2, model.WholeInference.Builds);
        AssertClose(Predict(model, InferenceEngine.LibTorch, x), afterSetWeights, "after SetWeights");

        // Assign on one weight deep inside: the same.
        var bn = (BatchNormalization)model.GetLayer("bn_a");
        bn.MovingMean!.Assign(bn.MovingMean.Value + 0.5);
        Tensor afterAssign = Predict(model, InferenceEngine.OnnxRuntime, x);
        Assert.Equal(3, model.WholeInference.Builds);
        AssertClose(Predict(model, InferenceEngine.LibTorch, x), afterAssign, "after Assign");
        Assert.Equal(open + 1, OrtSession.Live);          // each rebuild closed the session it replaced

        // A new thread count is a new session too.
        model.Execution.Threads = 1;
        Predict(model, InferenceEngine.OnnxRuntime, x);
        Assert.Equal(4, model.WholeInference.Builds);
        model.ReleaseInferenceSessions();
        Assert.Equal(open, OrtSession.Live);
    }

    [Fact]
    public void FitUpdatesTheLayersTheSessionCoversSoPredictRebuildsIt()
    {
        Model model = SmallFunctional();
        model.Compile(new Adam(0.01), new SparseCategoricalCrossentropy(fromLogits: true));
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(16, 12, seed: 13);
        Tensor y = torch.randint(0, 5, [16], generator: new torch.Generator(13));
        Tensor before = Predict(model, InferenceEngine.OnnxRuntime, x);
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        Tensor after = Predict(model, InferenceEngine.OnnxRuntime, x);
        Assert.Equal(2, model.WholeInference.Builds);
        Assert.True(TensorAssert.MaxAbsDiff(before, after) > 1e-3, "Fit did not change the predictions");
        AssertClose(Predict(model, InferenceEngine.LibTorch, x), after, "after Fit");
        model.ReleaseInferenceSessions();
    }

    [Fact]
    public void ForcingLibTorchBuildsNoSession()
    {
        Model model = SmallFunctional();
        using var scope = torch.NewDisposeScope();
        Tensor x = Images(40, 12, seed: 17);
        long open = OrtSession.Live;
        Predict(model, InferenceEngine.LibTorch, x);
        Assert.False(model.WholeInference.HasSession);
        Assert.Equal(new EngineChoice(InferenceEngine.LibTorch, EngineReason.ForcedLibTorch), model.WholeInference.LastChoice);
        Assert.Equal(open, OrtSession.Live);
    }

    [Fact]
    public void TheProcessDefaultAppliesUntilAModelChoosesForItself()
    {
        InferenceEngine saved = ExecutionOptions.Default.InferenceEngine;
        try
        {
            Model model = SmallFunctional();
            using var scope = torch.NewDisposeScope();
            Tensor x = Images(4, 12, seed: 19);
            ExecutionOptions.Default.InferenceEngine = InferenceEngine.LibTorch;
            Assert.Equal(InferenceEngine.LibTorch, model.Execution.InferenceEngine);
            model.Predict(x);
            Assert.Equal(EngineReason.ForcedLibTorch, model.WholeInference.LastChoice!.Value.Reason);

            ExecutionOptions.Default.InferenceEngine = InferenceEngine.OnnxRuntime;
            model.Predict(x);
            Assert.Equal(EngineReason.ForcedOnnxRuntime, model.WholeInference.LastChoice!.Value.Reason);

            model.Execution.InferenceEngine = InferenceEngine.LibTorch;   // the model's own choice wins
            model.Predict(x);
            Assert.Equal(EngineReason.ForcedLibTorch, model.WholeInference.LastChoice!.Value.Reason);
            model.Execution.Reset();                                      // and can be given back to the default
            Assert.Equal(InferenceEngine.OnnxRuntime, model.Execution.InferenceEngine);
            model.ReleaseInferenceSessions();
        }
        finally
        {
            ExecutionOptions.Default.InferenceEngine = saved;
        }
    }

    [Fact]
    public void OptionsRejectBadValues()
    {
        var options = new ExecutionOptions();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Threads = 0);
        Assert.Contains("Received: 0", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.InferenceEngine = (InferenceEngine)7);
        Assert.Throws<ArgumentNullException>(() => SmallFunctional().Execution = null!);
    }

    /// <summary>A layer Tanuki cannot export: Auto runs libtorch; forcing ONNX Runtime names the layer.</summary>
    private sealed class Doubling : Layer
    {
        protected override Tensor Forward(Tensor inputs, bool training) => inputs * 2;
    }

    [Fact]
    public void ALayerThatCannotBeExportedRunsOnLibTorchOrFailsClearlyWhenOnnxRuntimeIsForced()
    {
        var input = new Input(4);
        var model = new Model(input, new Dense(3).Call(new Doubling().Call(input)));
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(5, 4);
        Tensor expected = Predict(model, InferenceEngine.LibTorch, x);
        model.Execution.InferenceEngine = InferenceEngine.Auto;
        model.WholeInference.TryRun([x], remainingSamples: -1, random: false, out EngineChoice choice);   // as a long pass would
        Assert.Equal(EngineReason.NotExportable, choice.Reason);
        TensorAssert.Equal(expected, model.Predict(x));
        var e = Assert.Throws<NotSupportedException>(() => Predict(model, InferenceEngine.OnnxRuntime, x));
        Assert.Contains("doubling", e.Message);
        Assert.Contains("InferenceEngine.Auto", e.Message);
        Assert.False(model.WholeInference.HasSession);
    }

    [Fact]
    public void ALayerRandomInInferenceKeepsLibTorch()
    {
        var input = new Input(6);
        SymbolicTensor h = new Dropout(0.5, seed: 1).Call(new Dense(6).Call(input), training: true);   // Monte Carlo dropout
        var model = new Model(input, new Dense(2).Call(h));
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(4, 6);
        model.Execution.InferenceEngine = InferenceEngine.Auto;
        model.WholeInference.TryRun([x], remainingSamples: -1, random: model.IsStochastic(false), out EngineChoice choice);
        Assert.Equal(EngineReason.Random, choice.Reason);
        var e = Assert.Throws<NotSupportedException>(() => Predict(model, InferenceEngine.OnnxRuntime, x));
        Assert.Contains("random", e.Message);
    }

    [Fact]
    public void NothingIsLeftBehind()
    {
        Model model = SmallFunctional();
        Tensor x = Images(20, 12, seed: 23);
        long open = OrtSession.Live;
        Predict(model, InferenceEngine.OnnxRuntime, x).Dispose();       // warm-up: builds the session
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 50; i++) Predict(model, InferenceEngine.OnnxRuntime, x, batchSize: 6).Dispose();
        Assert.True(DisposeScopeManager.Statistics.ThreadTotalLiveCount - liveBefore <= 2,
                    $"live tensors grew from {liveBefore} to {DisposeScopeManager.Statistics.ThreadTotalLiveCount}");
        Assert.Equal(0, OrtSession.LiveValues);
        Assert.Equal(open + 1, OrtSession.Live);
        model.ReleaseInferenceSessions();
        Assert.Equal(open, OrtSession.Live);
        x.Dispose();
    }

    [Theory]
    [InlineData(InferenceEngine.LibTorch, 1)]
    [InlineData(InferenceEngine.LibTorch, 6)]
    [InlineData(InferenceEngine.OnnxRuntime, 1)]
    [InlineData(InferenceEngine.OnnxRuntime, 6)]
    public void PredictInsideAUserScopeLeavesNothingOnceTheScopeEnds(InferenceEngine engine, int batchSize)
    {
        Model model = SmallFunctional();
        Tensor x = Images(batchSize == 1 ? 1 : 20, 12, seed: 41);
        Predict(model, engine, x).Dispose();       // warm-up (builds ONNX Runtime's session)
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (torch.NewDisposeScope())
            for (int i = 0; i < 20; i++) Predict(model, engine, x, batchSize);        // results left to the user's scope
        Assert.Equal(liveBefore, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        model.ReleaseInferenceSessions();
        x.Dispose();
    }
}
