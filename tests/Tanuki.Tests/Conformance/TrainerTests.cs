using Tanuki.Callbacks;
using Tanuki.Data;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static Tanuki.Tests.Conformance.Keras;

namespace Tanuki.Tests.Conformance;

/// <summary>
/// keras/src/trainers/trainer_test.py. Keras's <c>ExampleModel(units)</c> is a Dense layer without bias whose kernel is
/// ones, made a model: here an unbuilt <c>Sequential(Dense(units, useBias: false, kernelInitializer: ones))</c>, which
/// <c>Fit</c> must build before it reads the trainable weights. Keras's <c>metrics.MeanSquaredError()</c> is the metric
/// <c>"mean_squared_error"</c> (Tanuki names that metric by string only, beside the loss of the same name).
/// </summary>
public class TrainerTests
{
    private static Sequential ExampleModel(int units) =>
        new(new Dense(units, useBias: false, kernelInitializer: Initializers.Ones));

    // trainer_test.py::TestTrainer::test_fit_flow (the eager variant; graph, jit and steps_per_epoch variants have no counterpart)
    [Fact]
    public void FitFlow()
    {
        var model = ExampleModel(3);
        const int epochs = 3, batchSize = 20, stepsPerEpoch = 7, datasetSize = batchSize * (stepsPerEpoch - 2);
        Tensor x = torch.ones(datasetSize, 4), y = torch.zeros(datasetSize, 3);
        model.Compile(new SGD(), new MeanSquaredError(), ["mean_squared_error"]);
        History history = model.Fit(x, y, batchSize: batchSize, epochs: epochs, verbose: 0);
        Assert.Contains("loss", history.Metrics.Keys);
        Assert.Contains("mean_squared_error", history.Metrics.Keys);
        AllClose([14.5, 11.5, 8.5], torch.tensor(history["mean_squared_error"].ToArray()), atol: 1.0);
    }

    // trainer_test.py::TestTrainer::test_fit_with_data_adapter (np_array, native_array, py_dataset, py_dataset_cw; Keras's
    // Adagrad is SGD here — Tanuki has no Adagrad, and the test checks only that Fit runs on each source)
    [Theory]
    [InlineData("np_array", false)]
    [InlineData("native_array", false)]
    [InlineData("py_dataset", false)]
    [InlineData("py_dataset_cw", true)]
    public void FitWithDataAdapter(string datasetType, bool classWeight)
    {
        var model = ExampleModel(3);
        model.Compile(new SGD(), new MeanSquaredError(), ["mean_squared_error"]);
        Dictionary<int, double>? cw = classWeight ? new() { [0] = 1, [1] = 2 } : null;
        History h = datasetType switch
        {
            "np_array" => model.Fit(new float[100, 4].Fill(1), new float[100, 3], batchSize: 5, epochs: 3, verbose: 0),
            "native_array" => model.Fit(torch.ones(100, 4), torch.zeros(100, 3), batchSize: 5, epochs: 3, verbose: 0),
            _ => model.Fit(Dataset.FromTensors(torch.ones(100, 4), torch.zeros(100, 3)).Batch(5), epochs: 3, verbose: 0, classWeight: cw),
        };
        Assert.Equal(3, h["loss"].Count);
    }

    // trainer_test.py::TestTrainer::test_fit_with_val_split (eager; with NumPy-style arrays and with tensors)
    [Fact]
    public void FitWithValSplit()
    {
        var model = ExampleModel(3);
        const int batchSize = 20, datasetSize = batchSize * 5;
        model.Compile(new SGD(), new MeanSquaredError(), ["mean_squared_error"]);
        History h = model.Fit(new float[datasetSize, 4].Fill(1), new float[datasetSize, 3], batchSize: batchSize, epochs: 3, verbose: 0, validationSplit: 0.2);
        Assert.Contains("loss", h.Metrics.Keys);
        Assert.Contains("val_loss", h.Metrics.Keys);

        h = model.Fit(torch.ones(datasetSize, 4), torch.zeros(datasetSize, 3), batchSize: batchSize, epochs: 3, verbose: 0, validationSplit: 0.2);
        Assert.Contains("loss", h.Metrics.Keys);
        Assert.Contains("val_loss", h.Metrics.Keys);
    }

    // trainer_test.py::TestTrainer::test_evaluate_flow
    [Fact]
    public void EvaluateFlow()
    {
        var model = ExampleModel(3);
        model.Compile(new SGD(), new MeanSquaredError(), ["mean_squared_error"]);
        var output = model.Evaluate(torch.ones(100, 4), torch.zeros(100, 3), batchSize: 16, verbose: 0);
        AllClose(16.0, output["loss"]);
        AllClose(16.0, output["mean_squared_error"]);
    }

    // trainer_test.py::TestTrainer::test_predict_flow
    [Fact]
    public void PredictFlow()
    {
        var model = ExampleModel(3);
        Tensor outputs = model.Predict(torch.ones(100, 4), batchSize: 16);
        AllClose(Enumerable.Repeat(4.0, 300).ToArray(), outputs);
    }

    // trainer_test.py::TestTrainer::test_fit_with_different_batch_size_same_loss
    [Fact]
    public void FitWithDifferentBatchSizeSameLoss()
    {
        Tensor x = torch.rand(100, 4), y = torch.ones(100, 1);
        var model = ExampleModel(1);
        model.Trainable = false;
        model.Compile("rmsprop", "mse");
        var loss1 = model.Fit(x, y, batchSize: 80, verbose: 0)["loss"];
        var loss2 = model.Fit(x, y, batchSize: 100, verbose: 0)["loss"];
        AllClose(loss1[0], loss2[0]);
    }

    // trainer_test.py::TestTrainer::test_evaluate_with_different_batch_size_same_loss
    [Fact]
    public void EvaluateWithDifferentBatchSizeSameLoss()
    {
        Tensor x = torch.rand(100, 4), y = torch.ones(100, 1);
        var model = ExampleModel(1);
        model.Compile("rmsprop", "mse");
        AllClose(model.Evaluate(x, y, batchSize: 80, verbose: 0)["loss"], model.Evaluate(x, y, batchSize: 100, verbose: 0)["loss"]);
    }

    /// <summary>Keras's TrainingTestingLayer: the identity in training, zeros in inference.</summary>
    private sealed class TrainingTestingModel() : Model((string?)null)
    {
        protected override Tensor Forward(Tensor x, bool training) => training ? x : x * 0;
    }

    // trainer_test.py::TestTrainer::test_training_arg
    [Fact]
    public void TrainingArg()
    {
        var model = new TrainingTestingModel();
        model.Compile("rmsprop", "mse");
        Tensor x = torch.ones(128, 1), y = torch.zeros(128, 1);
        History history = model.Fit(x, y, batchSize: 32, verbose: 0);
        AllClose(1.0, history["loss"][0]);
        AllClose(0.0, model.Evaluate(x, y, batchSize: 32, verbose: 0)["loss"]);
        AllClose(new double[128], model.Predict(x));
    }

    private sealed class KeysRecorder : Callback
    {
        public List<string> Failures { get; } = new();

        private void Expect(string evt, IReadOnlyDictionary<string, double> logs, params string[] keys)
        {
            string[] actual = logs.Keys.Order(StringComparer.Ordinal).ToArray();
            if (!actual.SequenceEqual(keys)) Failures.Add($"{evt}: [{string.Join(", ", actual)}]");
        }

        public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs) => Expect("train_begin", logs);
        public override void OnTrainEnd(IReadOnlyDictionary<string, double> logs) =>
            Expect("train_end", logs, "loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error");
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs) =>
            Expect("epoch_end", logs, "loss", "mean_absolute_error", "val_loss", "val_mean_absolute_error");
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) => Expect("train_batch_end", logs, "loss", "mean_absolute_error");
    }

    // trainer_test.py::TestTrainer::test_callback_methods_keys (the training events and Evaluate's result; Tanuki's
    // epoch-begin and batch-begin events carry no logs, and Evaluate and Predict raise no callback events)
    [Fact]
    public void CallbackMethodsKeys()
    {
        var model = ExampleModel(3);
        model.Compile("adam", "mse", ["mean_absolute_error"]);
        var recorder = new KeysRecorder();
        model.Fit(torch.ones(16, 4), torch.zeros(16, 3), callbacks: [recorder], batchSize: 4, verbose: 0,
                  validationData: (torch.ones(16, 4), torch.zeros(16, 3)));
        Assert.Empty(recorder.Failures);
        Assert.Equal(["loss", "mean_absolute_error"], model.Evaluate(torch.ones(16, 4), torch.zeros(16, 3), batchSize: 4, verbose: 0).Keys.Order());
        model.Predict(torch.ones(16, 4), batchSize: 4);
    }

    // trainer_test.py::TestTrainer::test_functional_layer_training_overrides_model_training_argument (Predict part;
    // predict_on_batch has no counterpart)
    [Fact]
    public void FunctionalLayerTrainingOverridesModelTrainingArgument()
    {
        var inputs = new Input(20);
        var model = new Model(inputs, new Dropout(0.5, seed: 1337).Call(inputs, training: true));
        Tensor out1 = model.Predict(torch.ones(4, 20), batchSize: 2);
        Assert.False(torch.allclose(out1[..2], out1[2..4], rtol: 1e-6, atol: 1e-6));
    }

    // trainer_test.py::TestTrainer::test_recompile
    [Fact]
    public void Recompile()
    {
        var model = ExampleModel(3);
        model.Compile("sgd", "mse", ["mean_squared_error"]);
        var history1 = model.Fit(torch.ones(3, 2), torch.ones(3, 3), verbose: 0);
        var eval1 = model.Evaluate(torch.ones(3, 2), torch.ones(3, 3), verbose: 0);
        model.Compile("sgd", "mse", ["mean_absolute_error"]);
        var history2 = model.Fit(torch.ones(3, 2), torch.ones(3, 3), verbose: 0);
        var eval2 = model.Evaluate(torch.ones(3, 2), torch.ones(3, 3), verbose: 0);
        Assert.Equal(["loss", "mean_squared_error"], history1.Metrics.Keys.Order());
        Assert.Equal(["loss", "mean_squared_error"], eval1.Keys.Order());
        Assert.Equal(["loss", "mean_absolute_error"], history2.Metrics.Keys.Order());
        Assert.Equal(["loss", "mean_absolute_error"], eval2.Keys.Order());
    }

    private sealed class Stopper(int stopCount) : Callback
    {
        public int Counter;
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
        {
            if (++Counter == stopCount) Model!.StopTraining = true;
        }
    }

    // trainer_test.py::TestTrainer::test_stop_loop (the "fit" case, on a long dataset instead of an infinite generator;
    // Evaluate and Predict raise no batch events to stop them from)
    [Fact]
    public void StopLoop()
    {
        var model = ExampleModel(3);
        model.Compile("sgd", "mse", ["mse"]);
        var stopper = new Stopper(5);
        model.Fit(Dataset.FromTensors(torch.ones(200, 2), torch.ones(200, 3)).Batch(2), callbacks: [stopper], verbose: 0);
        Assert.Equal(5, stopper.Counter);
    }

    private sealed class CounterModel : Model
    {
        private readonly Dense _dense;

        public CounterModel() : base((string?)null)
        {
            TrainCounter = AddWeight("train_counter", [], Initializers.Zeros);
            _dense = Track(new Dense(3));
        }

        public Variable TrainCounter { get; }

        protected override Tensor Forward(Tensor x, bool training) => _dense.Call(x);
    }

    private sealed class CounterCallback : Callback
    {
        public int EagerCallCounterTrain;
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs)
        {
            var counter = ((CounterModel)Model!).TrainCounter;
            counter.Assign(counter.Value + 1);
            EagerCallCounterTrain++;
        }
    }

    // trainer_test.py::TestTrainer::test_callbacks_can_update_state_at_batch_boundary (the training part; Tanuki's
    // Evaluate and Predict raise no batch events)
    [Fact]
    public void CallbacksCanUpdateStateAtBatchBoundary()
    {
        var model = new CounterModel();
        model.Compile("sgd", "mse", ["mse"]);
        var cbk = new CounterCallback();
        model.Fit(torch.ones(4, 3), torch.ones(4, 3), callbacks: [cbk], epochs: 3, batchSize: 1, verbose: 0,
                  validationData: (torch.ones(2, 3), torch.ones(2, 3)));
        AlmostEqual(12, cbk.EagerCallCounterTrain);
        AlmostEqual(12, model.TrainCounter.Value);
    }

    // Skipped, no Tanuki counterpart:
    // test_metric_tracking, test_nested_trainer_metrics, test_nested_trainer_metrics_without_compile, test_multiple_compiles,
    //   test_symbolic_build — Keras's metric trackers (model.metrics, _compile_metrics); Tanuki keeps metrics in Compile's lists.
    // test_compile_eager_vs_jit_torch, test_jit_compile_with_tf_determinism, test_retracing, test_retracing_predict,
    //   test_jit_fit_with_out_shardings_logic — no jit or tracing.
    // test_fit_with_custom_train_step, test_evaluate_with_custom_test_step, test_metric_update_in_compute_loss,
    //   test_fwd_pass_loss_presence_in_compute_loss, test_evaluate_with_custom_compute_loss,
    //   test_compute_loss_no_training_backwards_compatibility — no overridable train_step/test_step/compute_loss.
    // test_fit_sparse, test_evaluate_sparse, test_predict_sparse, test_trainer_with_raggeds — no sparse or ragged tensors.
    // test_predict_flow_struct, test_nested_input_predict, test_nested_inputs, test_loss_weights,
    //   test_partial_loss_partial_label, test_evaluate_return_list_respect_metrics_order — one input and one output;
    //   Evaluate returns a dictionary.
    // test_fit_eval_flow_for_jax_model_weights — JAX only.
    // test_steps_per_execution_steps_count, test_steps_per_execution_unrolled_steps_steps_count,
    //   test_steps_per_execution_steps_count_unknown_dataset_size, test_steps_per_execution_steps_per_epoch,
    //   test_steps_per_epoch, test_steps_per_execution_steps_per_epoch_unknown_data_size,
    //   test_steps_per_execution_steps_count_without_training, test_max_epochs_and_steps — no steps_per_execution,
    //   steps_per_epoch or max-epochs configuration.
    // test_predict_preserve_order, test_predict_generator, test_validation_data_infinite_generator,
    //   test_for_eval_epoch_iterator, test_evaluate_fixed_batch_dim_graph_matches_eager — tf.data and Python generators.
    // test_adds_loss_scaling_optimizer, test_loss_scaling_prevents_underflow — no mixed precision.
    // test_on_batch_methods, test_on_batch_methods_without_training — no train_on_batch/test_on_batch/predict_on_batch.
    // test_internal_only_loss — no layer losses (add_loss).
    // test_constraints_are_applied — no weight constraints.
    // test_rng_updated_during_predict — no seed generators.
}

internal static class ArrayFill
{
    /// <summary>NumPy's <c>np.ones</c> for a .NET array.</summary>
    public static float[,] Fill(this float[,] a, float value)
    {
        for (int i = 0; i < a.GetLength(0); i++)
            for (int j = 0; j < a.GetLength(1); j++) a[i, j] = value;
        return a;
    }
}
