namespace Tanuki;

/// <summary>What <see cref="Model.FineTune(Layer, Data.Dataset, Data.Dataset?, FineTuneOptions?)"/> did: both stages' histories and where stage 2 began.</summary>
public sealed class FineTuneResult
{
    internal FineTuneResult(History stage1, History stage2, IReadOnlyList<Layer> unfrozen, IReadOnlyList<Layer> batchNormKeptFrozen, int? bestEpoch)
    {
        Stage1 = stage1;
        Stage2 = stage2;
        UnfrozenLayers = unfrozen;
        BatchNormKeptFrozen = batchNormKeptFrozen;
        BestEpoch = bestEpoch;
    }

    /// <summary>Stage 1: the head trained with the base frozen.</summary>
    public History Stage1 { get; }

    /// <summary>Stage 2: fine-tuning with the base (partly) unfrozen. Empty when stage 2 was skipped.</summary>
    public History Stage2 { get; }

    /// <summary>The overall (0-based) epoch where stage 2 began: the number of epochs stage 1 ran. Mark it on learning curves.</summary>
    public int Stage2StartEpoch => Stage1.Epochs.Count;

    /// <summary>The base's layers holding weights that stage 2 unfroze.</summary>
    public IReadOnlyList<Layer> UnfrozenLayers { get; }

    /// <summary>BatchNormalization layers kept frozen in stage 2 so they stay in inference mode (see <see cref="FineTuneOptions.TrainBatchNorm"/>).</summary>
    public IReadOnlyList<Layer> BatchNormKeptFrozen { get; }

    /// <summary>The overall (0-based) epoch whose weights the model holds at the end when weights were restored; null otherwise.</summary>
    public int? BestEpoch { get; }

    /// <summary>
    /// A key's values over both stages, one per epoch (stage 1's, then stage 2's); NaN for the epochs of a stage
    /// that did not log it (e.g. <c>learning_rate</c>).
    /// </summary>
    public IReadOnlyList<double> Combined(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Pad(Stage1, key).Concat(Pad(Stage2, key)).ToList();
    }

    private static IEnumerable<double> Pad(History h, string key) =>
        h[key].Count == h.Epochs.Count ? h[key] : Enumerable.Repeat(double.NaN, h.Epochs.Count);
}
