using Tanuki.Losses;
using Tanuki.Metrics;
using Tanuki.Optimizers;

namespace Tanuki;

public partial class Model
{
    /// <summary>The optimizer given to <see cref="Compile"/>; null before.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss given to <see cref="Compile"/>; null before.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The metrics given to <see cref="Compile"/>.</summary>
    public IReadOnlyList<Metric> Metrics { get; private set; } = [];

    /// <summary>Whether <see cref="Compile"/> has been called.</summary>
    public bool Compiled => Optimizer is not null && Loss is not null;

    /// <summary>
    /// Whether <c>Fit</c> may run a frozen, deterministic prefix of the model once per sample and train the rest on
    /// its cached outputs (on by default; exact; see the README's performance section).
    /// </summary>
    public bool UseFeatureCache { get; set; } = true;

    /// <summary>Memory the frozen-feature cache may use before it moves to a temporary file (default 1 GiB).</summary>
    public long FeatureCacheMemoryBytes { get; set; } = 1L << 30;

    /// <summary>Set to true (from a callback) to stop <c>Fit</c> at the end of the current batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>
    /// Sets what training uses. Objects or Keras names: <c>Compile("adam", "sparse_categorical_crossentropy", ["accuracy"])</c>.
    /// Calling it again is harmless: passing the same optimizer keeps its state, and trainable changes never
    /// need a recompile (<c>Fit</c> reads <c>TrainableWeights</c> at every epoch).
    /// </summary>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        var list = (metrics ?? []).ToList();
        var dup = list.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"Two metrics are named \"{dup.Key}\"; give one a different name.", nameof(metrics));
        if (list.Any(m => m.Name == "loss")) throw new ArgumentException("A metric cannot be named \"loss\": that key holds the loss.", nameof(metrics));
        Optimizer = optimizer;
        Loss = loss;
        Metrics = list;
    }

    private void EnsureCompiled(string what)
    {
        if (!Compiled)
            throw new InvalidOperationException(
                $"You must call Compile() before {what}. For example: model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), [new SparseCategoricalAccuracy()]).");
    }
}
