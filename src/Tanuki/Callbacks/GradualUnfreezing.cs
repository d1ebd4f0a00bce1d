using System.Globalization;

namespace Tanuki.Callbacks;

/// <summary>
/// Unfreezes a pretrained base stage by stage during one <c>Fit</c>: the base is frozen when training starts, and
/// at the start of each epoch in the schedule (0-based, as every callback's epochs are) it unfreezes from a layer
/// on — by name or name prefix (<c>"stage4"</c>), or the last fraction of its layers holding weights (<c>0.25</c>).
/// Layers already unfrozen stay unfrozen. No recompile is needed: <c>Fit</c> reads the trainable weights at every
/// epoch, the optimizer object is kept, and so is its state for the weights that were already training (ULMFiT's
/// gradual unfreezing, Lightning's BaseFinetuning).
/// <para>Optimizer state: the newly unfrozen weights start with fresh state (any left from an earlier time they
/// were trainable is stale and is dropped); the rest keep theirs. With <c>resetOptimizerState</c>, all state is
/// dropped at each step instead (fastai's rule when the freeze boundary moves).</para>
/// <para>Learning rates: with <c>learningRateMultiplier</c> m below 1, the k-th group unfrozen trains at lr·m^k,
/// so layers nearer the input, unfrozen later, move less (discriminative rates, through the optimizer's
/// per-weight multipliers). 1, the default, leaves rates alone.</para>
/// </summary>
/// <example><code>
/// var unfreeze = new GradualUnfreezing(baseModel, new Dictionary&lt;int, string&gt; { [2] = "stage4", [4] = "stage3" }, verbose: 1);
/// model.Fit(train, epochs: 8, validationData: val, callbacks: [unfreeze]);
/// </code></example>
public sealed class GradualUnfreezing : Callback
{
    private readonly SortedDictionary<int, Func<Layer, IReadOnlyList<Layer>>> _schedule = new();
    private readonly SortedDictionary<int, string> _descriptions = new();
    private readonly List<(int Epoch, IReadOnlyList<Layer> Layers)> _steps = new();

    /// <summary>Unfreezes from a named layer (or the first whose name starts with the given text) at each scheduled epoch.</summary>
    /// <param name="baseModel">The pretrained part of the model (not the whole model: the head is left alone).</param>
    /// <param name="schedule">0-based epoch → layer name or name prefix to unfreeze from.</param>
    /// <param name="learningRateMultiplier">Compounding rate multiplier for each group unfrozen (1: rates untouched).</param>
    /// <param name="resetOptimizerState">Drop all optimizer state at each step (fastai) instead of only the new weights'.</param>
    /// <param name="verbose">1 prints what each step unfroze.</param>
    public GradualUnfreezing(Layer baseModel, IReadOnlyDictionary<int, string> schedule, double learningRateMultiplier = 1,
                             bool resetOptimizerState = false, int verbose = 0)
        : this(baseModel, learningRateMultiplier, resetOptimizerState, verbose)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        foreach (var (epoch, from) in schedule)
        {
            CheckEpoch(epoch);
            ArgumentNullException.ThrowIfNull(from);
            baseModel.FindLayer(from);   // a misspelt name fails now, not epochs into training
            _schedule[epoch] = b => b.Unfreeze(from);
            _descriptions[epoch] = $"from \"{from}\"";
        }
    }

    /// <summary>Unfreezes the last fraction of the base's layers holding weights at each scheduled epoch.</summary>
    /// <param name="baseModel">The pretrained part of the model (not the whole model: the head is left alone).</param>
    /// <param name="schedule">0-based epoch → fraction in (0, 1] of the base's weight-holding layers, from the top.</param>
    /// <param name="learningRateMultiplier">Compounding rate multiplier for each group unfrozen (1: rates untouched).</param>
    /// <param name="resetOptimizerState">Drop all optimizer state at each step (fastai) instead of only the new weights'.</param>
    /// <param name="verbose">1 prints what each step unfroze.</param>
    public GradualUnfreezing(Layer baseModel, IReadOnlyDictionary<int, double> schedule, double learningRateMultiplier = 1,
                             bool resetOptimizerState = false, int verbose = 0)
        : this(baseModel, learningRateMultiplier, resetOptimizerState, verbose)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        foreach (var (epoch, fraction) in schedule)
        {
            CheckEpoch(epoch);
            if (!(fraction > 0 && fraction <= 1))
                throw new ArgumentOutOfRangeException(nameof(schedule), fraction, $"Expected fractions in (0, 1]. Received: schedule[{epoch}]={fraction}");
            _schedule[epoch] = b => b.Unfreeze(fraction);
            _descriptions[epoch] = $"the top {fraction.ToString("0.##%", CultureInfo.InvariantCulture)}";
        }
    }

    private GradualUnfreezing(Layer baseModel, double learningRateMultiplier, bool resetOptimizerState, int verbose)
    {
        BaseModel = baseModel ?? throw new ArgumentNullException(nameof(baseModel));
        if (!(learningRateMultiplier > 0 && learningRateMultiplier <= 1))
            throw new ArgumentOutOfRangeException(nameof(learningRateMultiplier), learningRateMultiplier, $"Expected a multiplier in (0, 1]. Received: learningRateMultiplier={learningRateMultiplier}");
        LearningRateMultiplier = learningRateMultiplier;
        ResetOptimizerState = resetOptimizerState;
        Verbose = verbose;
    }

    /// <summary>The base unfrozen stage by stage.</summary>
    public Layer BaseModel { get; }
    /// <summary>The compounding learning-rate multiplier of each group unfrozen.</summary>
    public double LearningRateMultiplier { get; }
    /// <summary>Whether all optimizer state is dropped at each step.</summary>
    public bool ResetOptimizerState { get; }
    /// <summary>0 silent, 1 messages.</summary>
    public int Verbose { get; }

    /// <summary>What each step of the current (or last) <c>Fit</c> unfroze: the epoch and the newly trainable layers holding weights.</summary>
    public IReadOnlyList<(int Epoch, IReadOnlyList<Layer> Layers)> Steps => _steps;

    private static void CheckEpoch(int epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"Schedule epochs are 0-based and non-negative. Received: {epoch}");
    }

    /// <inheritdoc />
    public override void OnTrainBegin(IReadOnlyDictionary<string, double> logs)
    {
        if (!Model!.ContainsLayer(BaseModel))
            throw new InvalidOperationException($"GradualUnfreezing: layer '{BaseModel.Name}' is not part of model '{Model.Name}'.");
        _steps.Clear();
        BaseModel.Freeze();
    }

    /// <inheritdoc />
    public override void OnEpochBegin(int epoch)
    {
        if (!_schedule.TryGetValue(epoch, out var unfreeze)) return;
        HashSet<Layer> before = BaseModel.TrainableLeafLayers();
        IReadOnlyList<Layer> range = unfreeze(BaseModel);   // trains the range, freezes what is before it...
        var trainable = new HashSet<Layer>(before);
        trainable.UnionWith(range);
        BaseModel.SetTrainableLeafLayers(trainable);        // ...but gradual unfreezing never freezes again
        List<Layer> added = range.Where(l => !before.Contains(l)).ToList();
        _steps.Add((epoch, added));

        var optimizer = Model!.Optimizer!;
        var newWeights = added.SelectMany(l => l.Weights).ToList();
        if (ResetOptimizerState) optimizer.Reset();
        else optimizer.Reset(newWeights);
        double multiplier = Math.Pow(LearningRateMultiplier, _steps.Count);
        if (LearningRateMultiplier != 1) optimizer.SetLearningRateMultiplier(newWeights, multiplier);

        if (Verbose > 0)
        {
            string rate = LearningRateMultiplier != 1 ? string.Create(CultureInfo.InvariantCulture, $" at learning rate × {multiplier:G4}") : "";
            Print($"Epoch {epoch + 1}: GradualUnfreezing unfroze {_descriptions[epoch]} of '{BaseModel.Name}': {Layer.Describe(added)}{rate}; " +
                  $"{Model.TrainableWeights.Count} trainable weights in '{Model.Name}'.");
        }
    }
}
