using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Tests;

/// <summary>
/// Issue 15: models, layers and optimizers free their native memory at Dispose; use afterwards throws
/// <see cref="ObjectDisposedException"/> naming what was disposed; disposing twice is harmless; a layer shared by two
/// functional models lives until the last of them is disposed.
/// </summary>
public class LayerDisposeTests
{
    private static long Live => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    private static void TrainSteps(Model model, Optimizer optimizer, int steps)
    {
        var loss = new MeanSquaredError();
        for (int i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            using var tape = new GradientTape();
            Tensor x = torch.rand(8, 4), y = torch.rand(8, 2);
            Tensor l = loss.Call(y, model.Call(x, training: true));
            optimizer.ApplyGradients(tape.Gradient(l, model.TrainableWeights), model.TrainableWeights);
        }
    }

    [Fact]
    public void DisposingAModelAndItsOptimizerFreesEveryTensorTheyHeld()
    {
        long before = Live;
        var model = new Sequential(new Input(4), new Dense(8, activation: Activations.Relu), new BatchNormalization(), new Dense(2));
        var optimizer = new Adam();
        TrainSteps(model, optimizer, 3);
        Tensor[] values = model.Weights.Select(v => v.Value).ToArray();
        Assert.Equal(8, values.Length);                                   // 2 + 4 (BN) + 2
        Assert.True(Live - before >= values.Length + 2 * 6, $"{Live - before} live tensors after training");   // weights, Adam's 2 slots per trainable weight

        model.Dispose();
        Assert.All(values, v => Assert.True(v.IsInvalid));                // every weight's native memory freed
        optimizer.Dispose();
        Assert.Equal(before, Live);                                       // nothing the model or optimizer made is left
    }

    [Fact]
    public void DisposingAFunctionalModelFreesItsFoldedInferenceWeightsToo()
    {
        long before = Live;
        var input = new Input(3, 8, 8);
        var model = new Model(input, new ReLU().Call(new BatchNormalization().Call(new Conv2D(4, 3).Call(input))));
        model.Trainable = false;                                          // a frozen Conv2D → BN → ReLU: inference folds the BN into the convolution
        model.Execution.InferenceEngine = InferenceEngine.LibTorch;       // (ONNX Runtime would not fold in libtorch)
        using (var x = torch.rand(2, 3, 8, 8))
        using (model.Predict(x)) { }
        model.Dispose();
        Assert.Equal(before, Live);
    }

    [Fact]
    public void UseAfterDisposeThrowsNamingWhatWasDisposed()
    {
        var dense = new Dense(2, name: "head");
        var model = new Sequential(new Input(4), dense);
        model.Compile(new SGD(), new MeanSquaredError());
        model.Dispose();
        using var x = torch.rand(3, 4);
        using var y = torch.rand(3, 2);
        var e = Assert.Throws<ObjectDisposedException>(() => model.Call(x));
        Assert.Contains($"'{model.Name}'", e.Message);
        Assert.Throws<ObjectDisposedException>(() => model.Predict(x));
        Assert.Throws<ObjectDisposedException>(() => model.Weights);
        Assert.Throws<ObjectDisposedException>(() => model.GetWeights());
        Assert.Throws<ObjectDisposedException>(() => model.Fit(x, y, verbose: 0));
        Assert.Contains("'head'", Assert.Throws<ObjectDisposedException>(() => dense.Call(x)).Message);
        Assert.True(model.IsDisposed && dense.IsDisposed);
        Assert.Contains("'head'", Assert.Throws<ObjectDisposedException>(() => new Sequential(new Input(4), dense)).Message);   // no model from a disposed layer
    }

    [Fact]
    public void DisposingTwiceIsHarmless()
    {
        var model = new Sequential(new Input(4), new Dense(2));
        var optimizer = new SGD();
        TrainSteps(model, optimizer, 1);
        model.Dispose();
        model.Dispose();
        optimizer.Dispose();
        optimizer.Dispose();
        Assert.True(model.IsDisposed);
    }

    [Fact]
    public void ASharedLayerLivesUntilTheLastModelHoldingItIsDisposed()
    {
        torch.manual_seed(3);
        var shared = new Sequential(new Input(4), [new Dense(4, activation: Activations.Relu)], "shared_base");
        Model Head(int classes)
        {
            var input = new Input(4);
            return new Model(input, new Dense(classes).Call(shared.Call(input)));
        }
        Model first = Head(2), second = Head(3);
        using var x = torch.rand(5, 4);
        using Tensor expected = second.Predict(x);
        Dense firstHead = first.Layers.OfType<Dense>().Single();

        first.Dispose();
        Assert.True(firstHead.IsDisposed);                               // what only the first model held goes
        Assert.False(shared.IsDisposed);                                 // the shared base stays: the second model holds it
        using (Tensor again = second.Predict(x)) TensorAssert.Equal(expected, again);

        second.Dispose();
        Assert.True(shared.IsDisposed);                                  // the last holder let go
    }

    [Fact]
    public void APoppedLayerIsTheCallers()
    {
        var last = new Dense(2);
        var model = new Sequential(new Input(4), new Dense(3), last);
        Assert.Same(last, model.Pop());
        model.Dispose();
        Assert.False(last.IsDisposed);
        using var x = torch.rand(1, 3);
        using Tensor y = last.Call(x);
        last.Dispose();
        Assert.True(last.IsDisposed);
    }

    [Fact]
    public void ALayerDisposedInsideALiveModelIsNamedWhenTheModelRuns()
    {
        var inner = new Dense(3, name: "inner_dense");
        var model = new Sequential(new Input(4), inner, new Dense(2));
        inner.Dispose();
        using var x = torch.rand(2, 4);
        Assert.Contains("'inner_dense'", Assert.Throws<ObjectDisposedException>(() => model.Predict(x)).Message);
        model.Dispose();                                                  // and the model still disposes cleanly
    }

    [Fact]
    public void ADisposedOptimizerThrowsNamingItself()
    {
        var model = new Sequential(new Input(4), new Dense(2));
        var optimizer = new Adam();
        optimizer.Dispose();
        var e = Assert.Throws<ObjectDisposedException>(() => TrainSteps(model, optimizer, 1));
        Assert.Contains("'adam'", e.Message);
        model.Dispose();
    }
}
