using Tanuki.Data;

namespace Tanuki;

/// <summary>
/// The frozen-feature cache's policy: whether <c>Fit</c> trains an epoch on the cached outputs of a frozen prefix, and
/// why, as a <see cref="FeatureCacheReason"/>. The cache acts on <see cref="Reason"/>, the log says
/// <see cref="Describe"/>; nothing reads the text back.
/// </summary>
/// <param name="Reason">Why the cache is on or off.</param>
/// <param name="Prefix">
/// The prefix to cache when <see cref="Reason"/> is <see cref="FeatureCacheReason.Cached"/>; for
/// <see cref="FeatureCacheReason.DataMayBeRandom"/> and <see cref="FeatureCacheReason.TooFewFrozenParameters"/>, the
/// prefix the model has, if any (which the data or its size keeps from being cached); else null.
/// </param>
/// <param name="RandomLayer">The random layer, for <see cref="FeatureCacheReason.RandomLayerFirst"/>.</param>
internal sealed record FeatureCacheDecision(FeatureCacheReason Reason, FrozenPrefix? Prefix = null, Layer? RandomLayer = null)
{
    /// <summary>Whether the epoch trains from the cache.</summary>
    public bool Caches => Reason == FeatureCacheReason.Cached;

    /// <summary>
    /// Decides for an epoch of <paramref name="model"/> on <paramref name="data"/> with <paramref name="trainable"/>
    /// the weights being trained; the size threshold is the model's <see cref="ExecutionOptions.FeatureCacheMinimumFrozenParameters"/>.
    /// </summary>
    public static FeatureCacheDecision For(Model model, Dataset data, ISet<Variable> trainable)
    {
        if (!model.UseFeatureCache) return new(FeatureCacheReason.TurnedOff);
        FeatureCacheDecision found = FrozenPrefix.Find(model, trainable);
        if (!data.SupportsFeatureCache) return new(FeatureCacheReason.DataMayBeRandom, found.Prefix);
        if (found.Prefix is not FrozenPrefix prefix) return found;
        return prefix.FrozenParameters < model.Execution.FeatureCacheMinimumFrozenParameters ? new(FeatureCacheReason.TooFewFrozenParameters, prefix) : found;
    }

    /// <summary>Why, in words, for messages (the clause after "Frozen-feature cache off: ").</summary>
    public string Describe() => Reason switch
    {
        FeatureCacheReason.Cached => $"{Prefix!.Describe()} is computed once per sample",
        FeatureCacheReason.TurnedOff => "the model's UseFeatureCache is false",
        FeatureCacheReason.DataMayBeRandom => "the training data goes through a Map, which may be random, so the frozen layers must run on every step",
        FeatureCacheReason.RandomLayerFirst => $"the random layer '{RandomLayer?.Name}' comes before the frozen layers",
        FeatureCacheReason.NoFrozenPrefix => "no frozen layer with weights comes first",
        FeatureCacheReason.SeveralInputsOrOutputs => "the model has several inputs or outputs",
        FeatureCacheReason.OwnForwardPass => "the model is a subclass with its own forward pass",
        FeatureCacheReason.TooFewFrozenParameters => $"the frozen prefix has {Prefix?.FrozenParameters:N0} frozen parameters, too few to be worth caching",
        _ => Reason.ToString(),
    };
}
