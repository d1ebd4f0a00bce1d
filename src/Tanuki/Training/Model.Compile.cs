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

    /// <summary>The metrics given to <see cref="Compile"/>: they see every sample with the same weight.</summary>
    public IReadOnlyList<Metric> Metrics { get; private set; } = [];

    /// <summary>The weighted metrics given to <see cref="Compile"/>: they weigh samples by Fit's sample and class weights.</summary>
    public IReadOnlyList<Metric> WeightedMetrics { get; private set; } = [];

    /// <summary>Every compiled metric with its log key and whether it is weighted (Keras's names: a weighted metric whose
    /// name an unweighted one already has is logged as <c>weighted_</c> + name).</summary>
    private IReadOnlyList<(string Key, Metric Metric, bool Weighted)> _metricKeys = [];

    /// <summary>The log keys of the compiled metrics (without <c>val_</c>).</summary>
    internal IEnumerable<string> MetricKeys => _metricKeys.Select(k => k.Key);

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
    /// <param name="optimizer">What updates the trainable weights.</param>
    /// <param name="loss">What training minimises; it must reduce to one number (not reduction "none").</param>
    /// <param name="metrics">Metrics logged during training and evaluation, unweighted.</param>
    /// <param name="weightedMetrics">Metrics weighted by the sample and class weights given to <c>Fit</c> or <c>Evaluate</c>.</param>
    public void Compile(Optimizer optimizer, Loss loss, IEnumerable<Metric>? metrics = null, IEnumerable<Metric>? weightedMetrics = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        if (loss.Reduction is null)
            throw new ArgumentException($"The compiled loss must reduce to one number, but loss '{loss.Name}' has reduction \"none\". Use the default reduction, \"sum_over_batch_size\".", nameof(loss));
        var list = (metrics ?? []).ToList();
        var weighted = (weightedMetrics ?? []).ToList();
        var dup = list.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1) ?? weighted.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new ArgumentException($"Two metrics are named \"{dup.Key}\"; give one a different name.", nameof(metrics));
        if (list.Concat(weighted).Any(m => m.Name == "loss")) throw new ArgumentException("A metric cannot be named \"loss\": that key holds the loss.", nameof(metrics));
        if (weighted.FirstOrDefault(list.Contains) is Metric both)
            throw new ArgumentException($"Metric '{both.Name}' is passed both as a metric and as a weighted metric; pass a separate instance to each.", nameof(weightedMetrics));
        var keys = list.Select(m => (m.Name, m, false)).ToList();
        foreach (Metric m in weighted) keys.Add((list.Any(u => u.Name == m.Name) ? "weighted_" + m.Name : m.Name, m, true));
        if (SavedOptimizer?.TryRestore(optimizer) == true)
        {
            SavedOptimizer.Dispose();
            SavedOptimizer = null;
        }
        Optimizer = optimizer;
        Loss = loss;
        Metrics = list;
        WeightedMetrics = weighted;
        _metricKeys = keys;
    }

    private void EnsureCompiled(string what)
    {
        if (!Compiled)
            throw new InvalidOperationException(
                $"You must call Compile() before {what}. For example: model.Compile(new Adam(), new SparseCategoricalCrossentropy(fromLogits: true), [new SparseCategoricalAccuracy()]).");
    }
}
