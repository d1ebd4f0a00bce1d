using Tanuki.Applications;
using Tanuki.Layers;

namespace Tanuki.FineTuning;

/// <summary>
/// The classifier of the transfer-learning workflow, built on an <see cref="ImageBase"/>: images (RGB, 0–255) →
/// augmentation layers (random in training, identity in inference, as in the Keras guide) → the base's
/// preprocessing → the base, called with <c>training: false</c> so its BatchNormalization stays in inference mode →
/// global average pooling (for a feature map) → dropout → <c>Dense(classes)</c> logits. Train it with
/// <see cref="Model.FineTune(Layer, Data.Dataset, Data.Dataset?, FineTuneOptions?, CancellationToken)"/> on <see cref="Base"/>.
/// </summary>
public sealed class TransferModel
{
    /// <summary>The augmentation names <see cref="Create"/> takes.</summary>
    public static IReadOnlyList<string> Augmentations { get; } = ["flip", "rotate", "zoom", "translate", "contrast"];

    private TransferModel(Model classifier, Model baseModel, Dense head, ImageBase imageBase)
    {
        Classifier = classifier;
        Base = baseModel;
        Head = head;
        ImageBase = imageBase;
    }

    /// <summary>The whole classifier: image in, class logits out.</summary>
    public Model Classifier { get; }

    /// <summary>The pretrained base inside it.</summary>
    public Model Base { get; }

    /// <summary>The new classification layer on the pooled features.</summary>
    public Dense Head { get; }

    /// <summary>What the base is.</summary>
    public ImageBase ImageBase { get; }

    /// <summary>Builds the classifier.</summary>
    /// <param name="imageBase">The pretrained base.</param>
    /// <param name="classes">Number of classes (at least 2).</param>
    /// <param name="imageSize">Height and width of the images; null for the base's native size.</param>
    /// <param name="augment">Augmentation layers by name (<see cref="Augmentations"/>), applied in training only; null: a random horizontal flip.</param>
    /// <param name="dropout">Dropout rate before the head.</param>
    /// <param name="seed">Seed of the augmentation layers.</param>
    /// <param name="pretrained">False: the base's architecture from random weights, trained with everything else.</param>
    /// <exception cref="ArgumentException">The size does not suit the base, fewer than 2 classes, or an unknown augmentation.</exception>
    public static TransferModel Create(ImageBase imageBase, int classes, int? imageSize = null, IReadOnlyList<string>? augment = null,
                                       double dropout = 0.2, int seed = 1, bool pretrained = true)
    {
        ArgumentNullException.ThrowIfNull(imageBase);
        if (classes < 2) throw new ArgumentOutOfRangeException(nameof(classes), classes, $"A classifier needs at least 2 classes. Received: classes={classes}");
        int size = imageSize ?? imageBase.NativeSize;
        if (imageBase.CheckSize(size) is string problem) throw new ArgumentException($"Image size: {problem}", nameof(imageSize));
        Guard.InRange(dropout, 0, 0.999);
        augment ??= ["flip"];
        foreach (string a in augment)
            if (!Augmentations.Contains(a))
                throw new ArgumentException($"Unknown augmentation \"{a}\". Expected some of: {string.Join(", ", Augmentations)}.", nameof(augment));

        Model baseModel = imageBase.Create(size, size, pretrained);
        var input = new Input([3, size, size], "image");
        SymbolicTensor x = input;
        for (int i = 0; i < augment.Count; i++) x = Augmentation(augment[i], seed + i).Call(x);
        x = imageBase.CreatePreprocessing().Call(x);
        // A pretrained base keeps its BatchNormalization statistics (training: false); one from scratch must learn them.
        x = baseModel.Call(x, training: pretrained ? false : null);
        if (x.Rank == 4) x = new GlobalAveragePooling2D(name: "avg_pool").Call(x);
        x = new Dropout(dropout, name: "dropout").Call(x);
        var head = new Dense(classes, name: "predictions");
        var classifier = new Model(input, head.Call(x), name: "classifier");
        return new TransferModel(classifier, baseModel, head, imageBase);
    }

    private static Layer Augmentation(string name, int seed) => name switch
    {
        "flip" => new RandomFlip("horizontal", seed: seed, name: "random_flip"),
        "rotate" => new RandomRotation(0.05, fillMode: "reflect", seed: seed, name: "random_rotation"),
        "zoom" => new RandomZoom(0.1, seed: seed, name: "random_zoom"),
        "translate" => new RandomTranslation(0.1, 0.1, seed: seed, name: "random_translation"),
        "contrast" => new RandomContrast(0.2, seed: seed, name: "random_contrast"),
        _ => throw new ArgumentException($"Unknown augmentation \"{name}\"."),
    };
}
