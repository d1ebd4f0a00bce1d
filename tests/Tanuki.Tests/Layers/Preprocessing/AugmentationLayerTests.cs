using Tanuki.Data;
using Tanuki.Layers;

namespace Tanuki.Tests.Layers.Preprocessing;

/// <summary>What every augmentation layer promises: identity in inference, random in training, seeded, batched per sample.</summary>
public class AugmentationLayerTests
{
    public static TheoryData<string> Layers => new() { "flip", "rotation", "zoom", "translation", "contrast", "brightness", "crop" };

    internal static Layer Make(string kind, int? seed = null) => kind switch
    {
        "flip" => new RandomFlip(seed: seed),
        "rotation" => new RandomRotation(0.2, seed: seed),
        "zoom" => new RandomZoom(0.3, seed: seed),
        "translation" => new RandomTranslation(0.2, 0.3, seed: seed),
        "contrast" => new RandomContrast(0.5, seed: seed),
        "brightness" => new RandomBrightness(0.3, seed: seed),
        _ => new RandomCrop(6, 6, seed: seed),
    };

    private static Tensor Batch(int n = 8) { torch.manual_seed(5); return torch.rand(n, 3, 8, 8) * 255; }

    [Theory]
    [MemberData(nameof(Layers))]
    public void InferenceIsTheIdentityAndTheSameTensor(string kind)
    {
        Layer layer = kind == "crop" ? new RandomCrop(8, 8) : Make(kind);
        Tensor x = Batch();
        Tensor y = layer.Call(x, training: false);
        Assert.Same(x, y);
        Assert.Same(x, layer.Call(x));                           // training defaults to false
        Assert.True(layer.IsRandom);
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void TrainingChangesTheImagesWithItsOwnDrawPerSample(string kind)
    {
        Layer layer = Make(kind, seed: 1);
        Tensor x = Batch(16);
        Tensor y = layer.Call(x, training: true);
        Assert.Equal(kind == "crop" ? new long[] { 16, 3, 6, 6 } : x.shape, y.shape);
        if (kind != "crop") Assert.False(TensorAssert.BitEqual(x, y), "training left the batch unchanged");
        // Per-sample parameters: the same image repeated over the batch comes out in several different ways.
        Tensor same = x[..1].expand(16, 3, 8, 8).contiguous();
        Tensor outs = layer.Call(same, training: true);
        Assert.True(Enumerable.Range(1, 15).Any(i => !TensorAssert.BitEqual(outs[0], outs[i])), "every sample got the same transformation");
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void TheSameSeedGivesTheSameBatches(string kind)
    {
        Layer a = Make(kind, seed: 42), b = Make(kind, seed: 42), c = Make(kind, seed: 43);
        Tensor x = Batch();
        Tensor a1 = a.Call(x, training: true), b1 = b.Call(x, training: true);
        TensorAssert.Equal(a1, b1);
        TensorAssert.Equal(a.Call(x, training: true), b.Call(x, training: true));   // and the same sequence after
        Assert.False(TensorAssert.BitEqual(a1, c.Call(x, training: true)), "another seed gave the same batch");
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void ASingleImageWorksToo(string kind)
    {
        Tensor x = Batch(1)[0];
        Tensor y = Make(kind, seed: 3).Call(x, training: true);
        Assert.Equal(3, y.dim());
    }

    [Fact]
    public void ConfigUsesKerasNamesAndPlainValues()
    {
        var rotation = new RandomRotation(0.1, fillMode: "constant", fillValue: 3, seed: 7, name: "rot").GetConfig();
        Assert.Equal(0.1, rotation["factor"]);
        Assert.Equal("constant", rotation["fill_mode"]);
        Assert.Equal("bilinear", rotation["interpolation"]);
        Assert.Equal(7, rotation["seed"]);
        Assert.Equal(3.0, rotation["fill_value"]);
        Assert.Equal("rot", rotation["name"]);
        Assert.Equal(new[] { -0.1, 0.3 }, new RandomRotation((-0.1, 0.3)).GetConfig()["factor"]);
        var zoom = new RandomZoom(0.2).GetConfig();
        Assert.Equal(0.2, zoom["height_factor"]);
        Assert.Null(zoom["width_factor"]);
        Assert.Equal(new[] { 0.0, 1.0 }, new RandomContrast(0.2, valueRange: (0, 1)).GetConfig()["value_range"]);
        Assert.Equal(new[] { 0.0, 255.0 }, new RandomBrightness(0.2).GetConfig()["value_range"]);
        Assert.Equal("horizontal", new RandomFlip("horizontal").GetConfig()["mode"]);
        var crop = new RandomCrop(4, 5).GetConfig();
        Assert.Equal(4, crop["height"]);
        Assert.Equal(5, crop["width"]);
    }

    [Fact]
    public void BadArgumentsGetKerasStyleMessages()
    {
        Assert.Contains("Received: factor=1.5", Assert.Throws<ArgumentOutOfRangeException>(() => new RandomRotation(1.5)).Message);
        Assert.Contains("Received: mode=\"diagonal\"", Assert.Throws<ArgumentException>(() => new RandomFlip("diagonal")).Message);
        Assert.Throws<ArgumentException>(() => new RandomRotation(0.1, fillMode: "mirror"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomZoom(-1.0));          // (−1, 1]: −1 would zoom to nothing
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomContrast(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RandomCrop(0, 3));
        Assert.Throws<ArgumentException>(() => new RandomFlip().Call(torch.zeros(2, 3), training: true));
    }

    [Fact]
    public void AugmentationWorksInsideAModelAndInDatasetMap()
    {
        var augment = new Sequential(new Input(3, 8, 8), new RandomFlip("horizontal", seed: 1), new RandomRotation(0.1, seed: 2));
        Tensor x = Batch();
        Assert.Same(x, augment.Call(x, training: false));
        Assert.False(TensorAssert.BitEqual(x, augment.Call(x, training: true)));
        // Keras 3's recipe: augment in the data pipeline, on two background workers.
        var ds = Dataset.FromTensors(x, torch.zeros(8, dtype: ScalarType.Int64)).Batch(4)
            .Map((images, labels) => (augment.Call(images, training: true), labels), numParallelCalls: 2);
        var batches = ds.ToList();
        Assert.Equal(2, batches.Count);
        Assert.Equal(new long[] { 4, 3, 8, 8 }, batches[0].Inputs.shape);
    }
}
