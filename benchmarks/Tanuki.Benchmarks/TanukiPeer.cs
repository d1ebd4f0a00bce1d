using Tanuki.Applications;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.Benchmarks;

/// <summary>
/// Tanuki through its public API, as a user writes it: the pretrained ResNet-18 from <see cref="ResNet18.Create"/>,
/// inference with <see cref="Model.Predict(Tensor, int, int)"/>, training steps with <see cref="Model.Fit(Tensor, Tensor, int, int, int, IEnumerable{Callbacks.Callback}?, double, ValueTuple{Tensor, Tensor}?, bool, IReadOnlyDictionary{int, double}?, Tensor?)"/>
/// on exactly one batch (one Fit call = one step: forward, loss, gradients, Adam update).
/// </summary>
internal static class TanukiPeer
{
    public static Measurement Measure(string task, int size, int batch, int warmup, int reps, bool fusion)
    {
        Backend.EnsureInitialized();
        InferenceFusion.Enabled = fusion;
        TanukiInfo.SetRandomSeed(0);
        Tensor x = (torch.rand(batch, 3, size, size) * 255).DetachFromDisposeScope();
        Tensor y = torch.randint(0, 10, [batch], dtype: ScalarType.Int64).DetachFromDisposeScope();
        Model baseModel = ResNet18.Create("imagenet", includeTop: false, inputShape: [3, size, size]);
        string info = $"Tanuki {TanukiInfo.Version}, TorchSharp {typeof(torch).Assembly.GetName().Version}, threads {Backend.Threads}, " +
                      $"conv-BN folding {(fusion ? "on" : "off")}";

        Action step = Step(task, baseModel, x, y, size, batch);
        return Measurement.Time("tanuki", task, size, batch, step, warmup, reps, info);
    }

    /// <summary>One step of <paramref name="task"/> on the batch (<paramref name="x"/>, <paramref name="y"/>); the ablation runs these too.</summary>
    internal static Action Step(string task, Model baseModel, Tensor x, Tensor y, int size, int batch)
    {
        switch (task)
        {
            case "inference":
                baseModel.Trainable = false;
                return () => { using var scope = NewDisposeScope(); baseModel.Predict(x, batchSize: batch); };
            case "train_full":
            {
                // Every weight trainable; the base called in training mode (BatchNormalization on batch statistics).
                Model model = Classifier(baseModel, size, training: null);
                model.Compile(new Adam(1e-4), new SparseCategoricalCrossentropy(fromLogits: true));
                return () => model.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0, shuffle: false);
            }
            case "train_frozen_base":
            {
                // The base frozen and called with training: false (the Keras transfer-learning guide's form); the cache
                // is off because this measures the per-step path Fit takes when the base must run on every batch.
                baseModel.Trainable = false;
                Model model = Classifier(baseModel, size, training: false);
                model.UseFeatureCache = false;
                model.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true));
                return () => model.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0, shuffle: false);
            }
            default:
                throw new ArgumentException($"unknown task '{task}'.");
        }
    }

    /// <summary>Base → global average pooling → Dense(10) logits.</summary>
    private static Model Classifier(Model baseModel, int size, bool? training)
    {
        var input = new Input([3, size, size], "image");
        SymbolicTensor features = baseModel.Call(input, training: training);
        SymbolicTensor logits = new Dense(10, name: "predictions").Call(new GlobalAveragePooling2D(name: "avg_pool").Call(features));
        return new Model(input, logits, name: "classifier");
    }
}
