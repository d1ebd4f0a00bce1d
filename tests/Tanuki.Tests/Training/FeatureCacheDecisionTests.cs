using Tanuki.Data;
using Tanuki.Layers;

namespace Tanuki.Tests.Training;

/// <summary>The frozen-feature cache's policy: each reason comes from the case it names, and only from it.</summary>
public class FeatureCacheDecisionTests
{
    private static readonly Dataset s_data = Dataset.FromTensors(torch.randn(8, 6), torch.randint(0, 3, [8])).Batch(4);

    /// <summary>Input(6) → [random layer] → frozen Dense(16) → Dense(3), the prefix cacheable at any size.</summary>
    private static (Sequential Model, Dense Frozen) Chain(Layer? first = null, long minimum = 0)
    {
        var frozen = new Dense(16, name: "frozen");
        var layers = new List<Layer>();
        if (first is not null) layers.Add(first);
        layers.Add(frozen);
        layers.Add(new Dense(3, name: "head"));
        var model = new Sequential(new Input(6), layers.ToArray());
        frozen.Trainable = false;
        model.Execution.FeatureCacheMinimumFrozenParameters = minimum;
        return (model, frozen);
    }

    private static FeatureCacheDecision Decide(Model model, Dataset? data = null) =>
        FeatureCacheDecision.For(model, data ?? s_data, new HashSet<Variable>(model.TrainableWeights));

    [Fact]
    public void AFrozenDeterministicPrefixIsCached()
    {
        var (model, frozen) = Chain();
        FeatureCacheDecision d = Decide(model);
        Assert.Equal(FeatureCacheReason.Cached, d.Reason);
        Assert.True(d.Caches);
        Assert.Equal([frozen], d.Prefix!.PrefixLayers);
    }

    [Fact]
    public void TheModelsSwitchTurnsItOff()
    {
        var (model, _) = Chain();
        model.UseFeatureCache = false;
        Assert.Equal(FeatureCacheReason.TurnedOff, Decide(model).Reason);
    }

    [Fact]
    public void MappedDataTurnsItOffAndKeepsThePrefixForTheMessage()
    {
        var (model, frozen) = Chain();
        FeatureCacheDecision d = Decide(model, s_data.Map((x, y) => (x, y)));
        Assert.Equal(FeatureCacheReason.DataMayBeRandom, d.Reason);
        Assert.False(d.Caches);
        Assert.Equal([frozen], d.Prefix!.PrefixLayers);
        Assert.Equal(FeatureCacheReason.DataMayBeRandom, Decide(Chain(minimum: 1_000_000).Model, s_data.Map((x, y) => (x, y))).Reason);
    }

    [Fact]
    public void ARandomLayerBeforeTheFrozenOnesTurnsItOffAndIsNamed()
    {
        var dropout = new Dropout(0.2, name: "drop");
        FeatureCacheDecision d = Decide(Chain(dropout).Model);
        Assert.Equal(FeatureCacheReason.RandomLayerFirst, d.Reason);
        Assert.Same(dropout, d.RandomLayer);
        Assert.Contains("'drop'", d.Describe());

        // The same in a functional model.
        var inputs = new Input(6);
        var flip = new Dropout(0.1, name: "drop2");
        var frozen = new Dense(16) { Trainable = false };
        var model = new Model(inputs, new Dense(3).Call(frozen.Call(flip.Call(inputs))));
        model.Execution.FeatureCacheMinimumFrozenParameters = 0;
        d = Decide(model);
        Assert.Equal(FeatureCacheReason.RandomLayerFirst, d.Reason);
        Assert.Same(flip, d.RandomLayer);
    }

    [Fact]
    public void NothingFrozenFirstGivesNoPrefix()
    {
        var (model, frozen) = Chain();
        frozen.Trainable = true;
        Assert.Equal(FeatureCacheReason.NoFrozenPrefix, Decide(model).Reason);
        // A random layer with nothing frozen after it is not the reason.
        var (withDropout, f2) = Chain(new Dropout(0.2));
        f2.Trainable = true;
        Assert.Equal(FeatureCacheReason.NoFrozenPrefix, Decide(withDropout).Reason);
    }

    [Fact]
    public void SeveralInputsGiveTheirOwnReason()
    {
        var a = new Input(6);
        var b = new Input(6);
        var frozen = new Dense(4) { Trainable = false };
        var model = new Model([a, b], [new Dense(3).Call(new Add().Call(frozen.Call(a), new Dense(4).Call(b)))]);
        Assert.Equal(FeatureCacheReason.SeveralInputsOrOutputs, Decide(model).Reason);
    }

    private sealed class OwnForward : Model
    {
        private readonly Dense _dense;

        public OwnForward() : base((string?)null) => _dense = Track(new Dense(3));

        protected override Tensor Forward(Tensor inputs, bool training) => _dense.Call(inputs);
    }

    [Fact]
    public void ASubclassWithItsOwnForwardPassCannotBeSplit()
    {
        var model = new OwnForward();
        model.Build([-1, 6]);
        Assert.Equal(FeatureCacheReason.OwnForwardPass, Decide(model).Reason);
    }

    [Fact]
    public void APrefixBelowTheModelsThresholdIsTooSmall()
    {
        var (model, frozen) = Chain(minimum: 10_000);        // 6×16 + 16 = 112 frozen parameters
        FeatureCacheDecision d = Decide(model);
        Assert.Equal(FeatureCacheReason.TooFewFrozenParameters, d.Reason);
        Assert.Equal(112, d.Prefix!.FrozenParameters);
        model.Execution.FeatureCacheMinimumFrozenParameters = 112;
        Assert.Equal(FeatureCacheReason.Cached, Decide(model).Reason);
        Assert.Same(frozen, Decide(model).Prefix!.PrefixLayers[0]);
    }

    [Fact]
    public void EveryReasonHasItsOwnWords()
    {
        var texts = Enum.GetValues<FeatureCacheReason>()
            .Where(r => r is not (FeatureCacheReason.Cached or FeatureCacheReason.TooFewFrozenParameters or FeatureCacheReason.DataMayBeRandom))
            .Select(r => new FeatureCacheDecision(r).Describe()).ToList();
        Assert.Equal(texts.Count, texts.Distinct().Count());
        Assert.All(texts, t => Assert.False(Enum.TryParse<FeatureCacheReason>(t, out _), $"no words for {t}"));
    }
}
