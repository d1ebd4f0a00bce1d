namespace Tanuki;

/// <summary>Why the frozen-feature cache of <c>Fit</c> is on or off for an epoch (see <see cref="FeatureCacheDecision"/>).</summary>
internal enum FeatureCacheReason
{
    /// <summary>A frozen, deterministic prefix worth caching: <c>Fit</c> trains on its outputs.</summary>
    Cached,

    /// <summary><see cref="Model.UseFeatureCache"/> is false.</summary>
    TurnedOff,

    /// <summary>The training data goes through a Map, which may be random, so the frozen layers must see every pass.</summary>
    DataMayBeRandom,

    /// <summary>A random layer (augmentation, Dropout) comes before the frozen layers.</summary>
    RandomLayerFirst,

    /// <summary>No frozen layer with weights comes first (everything trains, or the model starts with trainable layers).</summary>
    NoFrozenPrefix,

    /// <summary>The model has several inputs or outputs.</summary>
    SeveralInputsOrOutputs,

    /// <summary>The model is a subclass with its own forward pass, which cannot be split.</summary>
    OwnForwardPass,

    /// <summary>The frozen prefix has fewer frozen parameters than <see cref="ExecutionOptions.FeatureCacheMinimumFrozenParameters"/>.</summary>
    TooFewFrozenParameters,
}
