using Tanuki.Data;
using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// The frozen-feature cache: when a model's frozen part is a prefix that no random layer precedes and that runs
/// in inference mode, <c>Fit</c> computes that prefix's outputs once per sample and trains the rest on them (the
/// Keras guide's feature-extraction workflow, applied by itself). Exact: with in-memory data the batches come in
/// the same order, from the same random draws, as without the cache. It is re-checked at every epoch: when the
/// frozen part changes (unfreezing) the cache is dropped and, if a smaller frozen prefix remains, rebuilt. Whether to
/// cache, and why not, is <see cref="FeatureCacheDecision"/>'s.
/// </summary>
internal sealed class FeatureCache : IDisposable
{
    private readonly Model _model;
    private readonly Dataset _data;
    private readonly Dataset? _validation;
    private readonly FitLog _log;
    private readonly CancellationToken _cancellationToken;
    private FrozenPrefix? _prefix;
    private FeatureStore? _train;
    private Tensor? _trainTargets;
    private FeatureStore? _val;
    private Tensor? _valTargets;
    private bool _explainedOff;
    private int _batchSize;

    public FeatureCache(Model model, Dataset data, Dataset? validation, FitLog log, CancellationToken cancellationToken = default)
    {
        _model = model;
        _data = data;
        _validation = validation;
        _log = log;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Whether the current epoch trains from cached features.</summary>
    public bool Active => _train is not null;

    /// <summary>Whether validation runs on cached features.</summary>
    public bool ValidationActive => _val is not null;

    /// <summary>Decides, at the start of an epoch, whether to train from the cache; builds it when needed.</summary>
    public void Prepare(IReadOnlyList<Variable> trainable)
    {
        FeatureCacheDecision decision = FeatureCacheDecision.For(_model, _data, new HashSet<Variable>(trainable));
        Decision = decision;
        switch (decision.Reason)
        {
            case FeatureCacheReason.Cached:
                if (decision.Prefix!.SameAs(_prefix)) return;
                if (_prefix is not null) Say("The frozen part of the model changed: recomputing the frozen-feature cache.");
                Drop();
                _prefix = decision.Prefix;
                Fill();
                return;
            case FeatureCacheReason.TurnedOff:
                break;
            case FeatureCacheReason.DataMayBeRandom:
                if (!_explainedOff && decision.Prefix is FrozenPrefix p && p.FrozenParameters >= _model.Execution.FeatureCacheMinimumFrozenParameters)
                    Say($"Frozen-feature cache off: {decision.Describe()}. For augmentation, put the augmentation layers in the model instead " +
                        "(they are skipped in inference), or Cache() the data.");
                _explainedOff = true;
                break;
            case FeatureCacheReason.TooFewFrozenParameters:
                _model.ReleasePrefixInference();
                break;
            default:   // no prefix at all
                _model.ReleasePrefixInference();   // nothing frozen left to run: free its ONNX Runtime session now
                if (_prefix is not null) Say($"Frozen-feature cache off from here: the frozen part changed ({decision.Describe()}).");
                else if (!_explainedOff && decision.Reason == FeatureCacheReason.RandomLayerFirst && trainable.Count < _model.Weights.Count(w => w.IsTrainableKind))
                    Say($"Frozen-feature cache off: {decision.Describe()}, so the frozen layers must run on every step.");
                _explainedOff = true;
                break;
        }
        Drop();
    }

    /// <summary>The policy's decision for the current epoch (null before the first).</summary>
    public FeatureCacheDecision? Decision { get; private set; }

    private void Fill()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (_train, _trainTargets, _batchSize) = Compute(_data, training: true);
        if (_validation is not null && _validation.SupportsFeatureCache)
            (_val, _valTargets, _) = Compute(_validation, training: false);
        long bytes = _train.Bytes + (_val?.Bytes ?? 0);
        Say($"Frozen-feature cache: {_prefix!.Describe()} ran once per sample ({_train.Samples:N0} training" +
            (_val is null ? "" : $", {_val.Samples:N0} validation") + $" samples, {clock.Elapsed.TotalSeconds:0.0}s); " +
            $"the trainable layers train on its outputs ({bytes / 1048576.0:0.0} MiB {(_train.InMemory ? "in memory" : "in a temporary file")}).");
    }

    private (FeatureStore, Tensor, int) Compute(Dataset data, bool training)
    {
        var store = new FeatureStore(_model.FeatureCacheMemoryBytes);
        var targets = new List<Tensor>();
        int batchSize = 0;
        try
        {
            foreach (var (x, y) in Batches(data))
            {
                // The pass fires no callback events: cancellation is checked per batch (Fit turns it into its own exception).
                if (_cancellationToken.IsCancellationRequested)
                {
                    x.Dispose();
                    y.Dispose();
                    _cancellationToken.ThrowIfCancellationRequested();
                }
                using var scope = NewDisposeScope();
                scope.Attach(x);
                batchSize = data is TensorBatches tbs ? tbs.BatchSize : Math.Max(batchSize, (int)x.shape[0]);
                store.Append(_prefix!.RunPrefix(x.to(Backend.Device), training));
                targets.Add(y.DetachFromDisposeScope());
            }
            store.Seal();
            Tensor all = torch.cat(targets, 0).DetachFromDisposeScope();
            return (store, all, batchSize);
        }
        catch
        {
            store.Dispose();
            throw;
        }
        finally
        {
            foreach (Tensor t in targets) t.Dispose();
        }
    }

    /// <summary>
    /// Samples per forward pass of the prefix over in-memory data: the training batch, or more where inputs are small,
    /// up to about as many input values as 128 RGB images of 96×96 (≈ 14 MB). The prefix runs in inference mode, so
    /// each sample's features do not depend on its neighbours; larger passes amortise libtorch's per-call costs
    /// (measured on the pretrained ResNet-18 at 96²: batch 128 ~1.15× the images/s of batch 32).
    /// </summary>
    internal static long PassBatch(long batchSize, long[] sampleShape)
    {
        long values = Math.Max(1, sampleShape.Aggregate(1L, (a, b) => a * b));
        return Math.Max(batchSize, Math.Min(128, 128L * 3 * 96 * 96 / values));
    }

    /// <summary>In-memory data is read in order (so the training order matches the uncached run); other data as it comes.</summary>
    private static IEnumerable<(Tensor X, Tensor Y)> Batches(Dataset data)
    {
        if (data is TensorBatches tb)
        {
            long pass = PassBatch(tb.BatchSize, tb.X.shape[1..]);
            for (long start = 0; start < tb.Samples; start += pass)
            {
                long end = Math.Min(tb.Samples, start + pass);
                yield return (tb.X[TensorIndex.Slice(start, end)], tb.Y[TensorIndex.Slice(start, end)]);
            }
        }
        else foreach (var b in data) yield return b;
    }

    /// <summary>One epoch of training batches from the cache: (features, targets), reshuffled when the data shuffles.</summary>
    public IEnumerable<(Tensor[] Features, Tensor Targets)> TrainBatches()
    {
        long n = _train!.Samples;
        int batch = _data is TensorBatches tb ? tb.BatchSize : _batchSize;
        Tensor order = (_data.ShufflesEachPass ? torch.randperm(n, dtype: ScalarType.Int64) : torch.arange(n, dtype: ScalarType.Int64)).DetachFromDisposeScope();
        try
        {
            for (long start = 0; start < n; start += batch)
            {
                (Tensor[], Tensor) item;
                using (var scope = NewDisposeScope())
                {
                    Tensor idx = order[TensorIndex.Slice(start, Math.Min(n, start + batch))];
                    Tensor[] features = _train.Read(idx, Backend.Device);
                    Tensor targets = _trainTargets!.index_select(0, idx);
                    foreach (Tensor f in features) f.DetachFromDisposeScope();
                    item = (features, targets.DetachFromDisposeScope());
                }
                yield return item;
            }
        }
        finally
        {
            order.Dispose();
        }
    }

    /// <summary>Validation batches from the cache, in order.</summary>
    public IEnumerable<(Tensor[] Features, Tensor Targets)> ValidationBatches()
    {
        long n = _val!.Samples;
        for (long start = 0; start < n; start += _batchSize)
        {
            (Tensor[], Tensor) item;
            using (var scope = NewDisposeScope())
            {
                Tensor idx = torch.arange(start, Math.Min(n, start + _batchSize), dtype: ScalarType.Int64);
                Tensor[] features = _val.Read(idx, Backend.Device);
                foreach (Tensor f in features) f.DetachFromDisposeScope();
                item = (features, _valTargets!.index_select(0, idx).DetachFromDisposeScope());
            }
            yield return item;
        }
    }

    /// <summary>The rest of the model on cached features.</summary>
    public Tensor RunSuffix(Tensor[] features, bool training) => _prefix!.RunSuffix(features, training);

    private void Say(string message) => _log.Say(message);

    private void Drop()
    {
        _train?.Dispose();
        _val?.Dispose();
        _trainTargets?.Dispose();
        _valTargets?.Dispose();
        _train = _val = null;
        _trainTargets = _valTargets = null;
        _prefix = null;
    }

    public void Dispose() => Drop();
}
