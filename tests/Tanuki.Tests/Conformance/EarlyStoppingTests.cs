using Tanuki.Callbacks;
using Tanuki.Layers;

namespace Tanuki.Tests.Conformance;

/// <summary>
/// keras/src/callbacks/early_stopping_test.py. Keras's models use the loss "mae", which Tanuki does not have; "mse" stands
/// in for it (the tests watch how EarlyStopping reacts, not the loss's value).
/// </summary>
public class EarlyStoppingTests
{
    private static Sequential TwoDense() => new(new Dense(1, activation: "relu"), new Dense(1, activation: "relu"));

    private static (Tensor X, Tensor Y) Random(int n, int features, int seed)
    {
        var g = new Generator((ulong)seed);
        return (torch.rand([n, features], generator: g), torch.rand([n, 1], generator: g));
    }

    // early_stopping_test.py::EarlyStoppingTest::test_early_stopping (the "hinge" and "f1_score" cases have no Tanuki metric)
    [Fact]
    public void EarlyStoppingModes()
    {
        var (xTrain, yTrain) = Random(10, 5, 1);
        var (xTest, yTest) = Random(10, 5, 2);
        var model = TwoDense();
        model.Compile("adam", "mse", ["mse", "acc", "accuracy"]);

        (string Mode, string Monitor, bool Max)[] cases =
        [
            ("max", "val_mse", true),
            ("min", "val_loss", false),
            ("auto", "val_mse", false),
            ("auto", "loss", false),
            ("auto", "acc", true),
            ("auto", "val_accuracy", true),
        ];
        foreach (var (mode, monitor, max) in cases)
        {
            var stopper = new EarlyStopping(patience: 0, monitor: monitor, mode: mode);
            model.Fit(xTrain, yTrain, batchSize: 5, validationData: (xTest, yTest), callbacks: [stopper], epochs: 2, verbose: 0);
            Assert.Equal(max, stopper.Maximize);
        }

        Assert.Throws<ArgumentException>(() =>
            model.Fit(xTrain, yTrain, batchSize: 5, validationData: (xTest, yTest), callbacks: [new EarlyStopping(patience: 0, monitor: "unknown")],
                      epochs: 2, verbose: 0));
    }

    private static int RunEpochs(EarlyStopping stopper, Model model, IReadOnlyList<double> values, string key, Action<int>? beforeEnd = null, int stopAt = -1)
    {
        var list = new CallbackList([stopper], model, new Dictionary<string, long> { ["epochs"] = values.Count, ["steps"] = 1, ["verbose"] = 0 });
        model.StopTraining = false;
        list.OnTrainBegin(new Dictionary<string, double>());
        int trained = 0;
        for (int epoch = 0; epoch < values.Count; epoch++)
        {
            trained++;
            beforeEnd?.Invoke(epoch);
            list.OnEpochEnd(epoch, new Dictionary<string, double> { [key] = values[epoch] });
            if (epoch == stopAt) model.StopTraining = true;
            if (model.StopTraining) break;
        }
        list.OnTrainEnd(new Dictionary<string, double>());
        return trained;
    }

    private static Sequential CompiledEmptyModel()
    {
        var model = new Sequential();
        model.Compile("sgd", "mse");
        return model;
    }

    // early_stopping_test.py::EarlyStoppingTest::test_early_stopping_patience
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EarlyStoppingPatience(int patience)
    {
        double[] losses = [10.0, 9.0, 8.0, 9.0, 8.9, 8.8, 8.7, 8.6, 8.5];
        var stopper = new EarlyStopping(monitor: "loss", patience: patience);
        RunEpochs(stopper, CompiledEmptyModel(), losses, "loss");
        Assert.Equal(Math.Max(patience, 1) + 2, stopper.StoppedEpoch);
    }

    // early_stopping_test.py::EarlyStoppingTest::test_early_stopping_reuse
    [Fact]
    public void EarlyStoppingReuse()
    {
        const int patience = 3;
        Tensor data = torch.rand([100, 1], generator: new Generator(3));
        Tensor labels = data.gt(0.5).to_type(ScalarType.Float32);
        var model = TwoDense();
        model.Compile("sgd", "mse", ["mse"]);
        var stopper = new EarlyStopping(monitor: "mse", patience: patience);
        History history1 = model.Fit(data, labels, callbacks: [stopper], verbose: 0, epochs: 20);
        Assert.True(history1["loss"].Count >= patience);
        History history2 = model.Fit(data, labels, callbacks: [stopper], verbose: 0, epochs: 20);
        Assert.True(history2["loss"].Count >= patience);
    }

    // early_stopping_test.py::EarlyStoppingTest::test_state_reset_across_fit_calls (Keras sets the state by hand; here a
    // first run leaves it, then on_train_begin must clear it)
    [Fact]
    public void StateResetAcrossFitCalls()
    {
        var stopper = new EarlyStopping(monitor: "loss", patience: 3);
        RunEpochs(stopper, CompiledEmptyModel(), [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], "loss");
        Assert.Equal(0.1, stopper.Best);
        Assert.Equal(3, stopper.StoppedEpoch);   // three epochs without improvement after the first

        stopper.OnTrainBegin(new Dictionary<string, double>());
        Assert.Null(stopper.Best);
        Assert.Equal(0, stopper.Wait);
        Assert.Equal(0, stopper.StoppedEpoch);
        Assert.Equal(0, stopper.BestEpoch);
    }

    // early_stopping_test.py::EarlyStoppingTest::test_early_stopping_with_baseline
    [Fact]
    public void EarlyStoppingWithBaseline()
    {
        var (xTrain, yTrain) = Random(10, 5, 4);
        var model = TwoDense();
        model.Compile("sgd", "mse", ["mse"]);
        const int patience = 3;
        var stopper = new EarlyStopping(monitor: "mse", patience: patience, baseline: 0.6);
        History hist = model.Fit(xTrain, yTrain, callbacks: [stopper], verbose: 0, epochs: 20);
        Assert.True(hist["loss"].Count >= patience);
    }

    /// <summary>Keras's DummyModel: its weights are the number of the epoch they were set in.</summary>
    private static (Sequential Model, Action<int> SetWeightToEpoch, Func<double> GetWeights) DummyModel()
    {
        var model = new Sequential(new Input(1), new Dense(1, useBias: false));
        model.Compile("sgd", "mse");
        return (model, e => model.SetWeights([torch.full(1, 1, (float)e)]), () => model.GetWeights()[0].item<float>());
    }

    // early_stopping_test.py::EarlyStoppingTest::test_early_stopping_final_weights_when_restoring_model_weights
    [Fact]
    public void EarlyStoppingFinalWeightsWhenRestoringModelWeights()
    {
        var (model, setWeights, getWeights) = DummyModel();
        var earlyStop = new EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true);
        RunEpochs(earlyStop, model, [0.2, 0.15, 0.1, 0.11, 0.12], "val_loss", setWeights);
        // The best configuration is in epoch 2 (loss = 0.1000), and while patience = 2, we're restoring the best weights.
        Assert.Equal(2, getWeights());

        // Check early stopping when no model beats the baseline.
        (model, setWeights, getWeights) = DummyModel();
        earlyStop = new EarlyStopping(monitor: "val_loss", patience: 5, baseline: 0.5, restoreBestWeights: true);
        int epochsTrained = RunEpochs(earlyStop, model, [0.9, 0.8, 0.7, 0.71, 0.72, 0.73], "val_loss", setWeights);
        // No epoch improves on the baseline, so we should train for only 5 epochs, and restore the second model.
        Assert.Equal(5, epochsTrained);
        Assert.Equal(2, getWeights());

        // Check weight restoration when another callback requests a stop.
        (model, setWeights, getWeights) = DummyModel();
        earlyStop = new EarlyStopping(monitor: "val_loss", patience: 5, baseline: 0.5, restoreBestWeights: true);
        epochsTrained = RunEpochs(earlyStop, model, [0.9, 0.8, 0.7, 0.71, 0.72, 0.73], "val_loss", setWeights, stopAt: 3);
        Assert.Equal(4, epochsTrained);
        Assert.Equal(2, getWeights());
    }

    // early_stopping_test.py::EarlyStoppingTest::test_early_stopping_with_start_from_epoch
    [Fact]
    public void EarlyStoppingWithStartFromEpoch()
    {
        var (xTrain, yTrain) = Random(10, 5, 5);
        var model = TwoDense();
        model.Compile("sgd", "mse", ["mse"]);
        var stopper = new EarlyStopping(monitor: "mse", patience: 3, startFromEpoch: 2);
        History history = model.Fit(xTrain, yTrain, callbacks: [stopper], verbose: 0, epochs: 20);
        // Test 'patience' argument functions correctly when used in conjunction with 'start_from_epoch'.
        Assert.True(history["loss"].Count >= 3 + 2);

        stopper = new EarlyStopping(monitor: "mse", patience: 0, startFromEpoch: 2);
        history = model.Fit(xTrain, yTrain, callbacks: [stopper], verbose: 0, epochs: 20);
        // Test for boundary condition when 'patience' = 0.
        Assert.True(history["loss"].Count >= 2);
    }
}
