using Tanuki.Applications;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// Tanuki through its public API, as a user writes it: the pretrained ResNet-18 from <see cref="ResNet18.Create"/>,
/// inference with <see cref="Model.Predict(Tensor, int, int, CancellationToken)"/> on the inference engine given (the default, Auto, or
/// forced libtorch), training steps with <see cref="Model.Fit(Tensor, Tensor, int, int, int, IEnumerable{Callbacks.Callback}?, double, ValueTuple{Tensor, Tensor}?, bool, IReadOnlyDictionary{int, double}?, Tensor?, int, FitOptions?, CancellationToken)"/>
/// on exactly one batch (one Fit call = one step: forward, loss, gradients, Adam update).
/// </summary>
internal static class TanukiPeer
{
    /// <summary>How long a peer on <see cref="InferenceEngine.Auto"/> may keep stepping after its warm-up for the engine to settle.</summary>
    private const double SettleSeconds = 90;

    public static Measurement Measure(string task, int size, int batch, int warmup, int reps, bool fusion, InferenceEngine engine,
                                      TrainingPrecision precision = TrainingPrecision.Float32)
    {
        var (x, y, baseModel) = Batch(size, batch);
        string info = $"Tanuki {TanukiInfo.Version}, TorchSharp {typeof(torch).Assembly.GetName().Version}, threads {Backend.Threads}, " +
                      $"conv-BN folding {(fusion ? "on" : "off")} (inference and fine-tuning step)";

        var (step, model) = Step(task, baseModel, x, y, size, batch, engine);
        model.Execution.InferenceFusion = fusion;       // the base inside follows the model it is called from
        model.Execution.FuseFineTuningStep = fusion;
        model.Execution.TrainingPrecision = precision;
        if (precision != TrainingPrecision.Float32) info += $", training precision {precision}";
        if (task is "inference" or "predict")
        {
            info += $", inference engine {engine}";
            if (engine == InferenceEngine.Auto) info += Settle(step, model, warmup);
        }
        return Measurement.Time("tanuki", task, size, batch, step, warmup, reps, info);
    }

    /// <summary>
    /// What every ResNet-18 measurement starts from: libtorch loaded, seed 0, a batch of random images in 0–255 with
    /// labels 0–9 (outside any dispose scope), and the pretrained ResNet-18 base at <paramref name="size"/>².
    /// </summary>
    internal static (Tensor X, Tensor Y, Model Base) Batch(int size, int batch)
    {
        Backend.EnsureInitialized();
        TanukiInfo.SetRandomSeed(0);
        Tensor x = (torch.rand(batch, 3, size, size) * 255).DetachFromDisposeScope();
        Tensor y = torch.randint(0, 10, [batch], dtype: ScalarType.Int64).DetachFromDisposeScope();
        return (x, y, ResNet18.Create("imagenet", includeTop: false, inputShape: [3, size, size]));
    }

    /// <summary>
    /// Steps until Auto has moved to ONNX Runtime (it rents libtorch until the time spent there would pay for a session;
    /// a benchmark of one batch at a time on fresh weights starts there), or until <see cref="SettleSeconds"/>.
    /// </summary>
    private static string Settle(Action step, Model model, int warmup)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int steps = 0;
        while (model.WholeInference.LastChoice?.Engine != InferenceEngine.OnnxRuntime && clock.Elapsed.TotalSeconds < SettleSeconds)
        {
            step();
            steps++;
        }
        for (int i = 0; i < warmup; i++) step();   // the usual warm-up, now on the settled engine
        return $" (settled on {model.WholeInference.LastChoice} after {steps} steps, {clock.Elapsed.TotalSeconds:0.0} s)";
    }

    /// <summary>One step of <paramref name="task"/> on the batch (<paramref name="x"/>, <paramref name="y"/>), and the model it runs; the ablation runs these too.</summary>
    internal static (Action Step, Model Model) Step(string task, Model baseModel, Tensor x, Tensor y, int size, int batch, InferenceEngine engine)
    {
        switch (task)
        {
            case "inference":
                baseModel.Trainable = false;
                baseModel.Execution.InferenceEngine = engine;
                return (() => { using var scope = NewDisposeScope(); baseModel.Predict(x, batchSize: batch); }, baseModel);
            case "predict":
            {
                // A trained classifier, as a user predicts with it: preprocessing → frozen base → GAP → Dense(10), its head
                // fitted for two epochs on the batch (through the frozen-feature cache), then Predict on the batch.
                baseModel.Trainable = false;
                Model model = Classifier(baseModel, size, training: false, preprocessing: true);
                model.Execution.InferenceEngine = engine;
                model.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true));
                model.Fit(x, y, batchSize: batch, epochs: 2, verbose: 0);
                return (() => { using var scope = NewDisposeScope(); model.Predict(x, batchSize: batch); }, model);
            }
            case "train_full":
            {
                // Every weight trainable; the base called in training mode (BatchNormalization on batch statistics).
                Model model = Classifier(baseModel, size, training: null);
                model.Compile(new Adam(1e-4), new SparseCategoricalCrossentropy(fromLogits: true));
                return (() => model.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0, shuffle: false), model);
            }
            case "train_finetune":
            {
                // The Keras guide's fine-tuning stage: every weight trainable, the base called with training: false, so
                // BatchNormalization runs in inference mode (moving statistics, not updated) while gamma and beta train.
                Model model = Classifier(baseModel, size, training: false);
                model.Compile(new Adam(1e-4), new SparseCategoricalCrossentropy(fromLogits: true));
                return (() => model.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0, shuffle: false), model);
            }
            case "train_frozen_base":
            {
                // The base frozen and called with training: false (the Keras transfer-learning guide's form); the cache
                // is off because this measures the per-step path Fit takes when the base must run on every batch.
                baseModel.Trainable = false;
                Model model = Classifier(baseModel, size, training: false);
                model.UseFeatureCache = false;
                model.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true));
                return (() => model.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0, shuffle: false), model);
            }
            default:
                throw new ArgumentException($"unknown task '{task}'.");
        }
    }

    /// <summary>[ResNet-18 preprocessing →] base → global average pooling → Dense(10) logits.</summary>
    internal static Model Classifier(Model baseModel, int size, bool? training, bool preprocessing = false)
    {
        var input = new Input([3, size, size], "image");
        SymbolicTensor image = preprocessing ? new ResNet18Preprocessing(name: "preprocess").Call(input) : input;
        SymbolicTensor features = baseModel.Call(image, training: training);
        SymbolicTensor logits = new Dense(10, name: "predictions").Call(new GlobalAveragePooling2D(name: "avg_pool").Call(features));
        return new Model(input, logits, name: "classifier");
    }
}
