using Tanuki.Layers;
using Tanuki.Tests.Saving;

namespace Tanuki.Tests.Layers;

/// <summary>Every augmentation layer survives the config round trip Model.Load uses, and a model holding them saves and loads.</summary>
public class AugmentationSavingTests
{
    public static TheoryData<string> Kinds => new()
    {
        "flip", "rotation", "rotation_pair", "zoom", "zoom_pair", "translation", "translation_pair", "crop", "contrast", "contrast_pair", "brightness", "brightness_pair",
    };

    private static Layer Make(string kind) => kind switch
    {
        "flip" => new RandomFlip("horizontal", seed: 1),
        "rotation" => new RandomRotation(0.1, fillMode: "constant", seed: 2),
        "rotation_pair" => new RandomRotation((-0.05, 0.2)),
        "zoom" => new RandomZoom(0.2, 0.1, seed: 3),
        "zoom_pair" => new RandomZoom((-0.3, 0.1), (-0.1, 0.2)),
        "translation" => new RandomTranslation(0.1, 0.2, fillMode: "nearest"),
        "translation_pair" => new RandomTranslation((-0.1, 0.05), (0.0, 0.2)),
        "crop" => new RandomCrop(20, 24, seed: 4),
        "contrast" => new RandomContrast(0.3),
        "contrast_pair" => new RandomContrast((0.1, 0.4)),
        "brightness" => new RandomBrightness(0.2, valueRange: (0, 255)),
        "brightness_pair" => new RandomBrightness((-0.1, 0.3)),
        _ => throw new ArgumentException(kind),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheConfigRoundTripsThroughTheRegistry(string kind) => LayerConfigAssert.RoundTrip(Make(kind));

    [Fact]
    public void AModelWithAugmentationSavesAndLoadsAndPredictsTheSame()
    {
        var model = new Sequential(new Input(3, 32, 32), new RandomFlip("horizontal"), new RandomRotation(0.1), new RandomZoom(0.1),
                                   new Conv2D(4, 3), new GlobalAveragePooling2D(), new Dense(2));
        string dir = Directory.CreateTempSubdirectory("tanuki-aug").FullName;
        try
        {
            string path = Path.Combine(dir, "aug.tanuki");
            model.Save(path);
            Model again = Model.Load(path);
            Tensor x = torch.rand(3, 3, 32, 32);
            TensorAssert.Equal(model.Predict(x), again.Predict(x));   // augmentation is the identity in inference
            Assert.Equal(model.Layers.Select(l => l.GetType()), again.Layers.Select(l => l.GetType()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
