using System.Globalization;
using Tanuki.Applications;
using Tanuki.Layers;

namespace Tanuki.Cli.Workflow;

/// <summary>
/// The classifier the workflow trains: ResNet-18 preprocessing → ResNet-18 base (called with training: false, so
/// its BatchNormalization stays in inference mode, as the Keras guide does) → global average pooling → dropout →
/// Dense(classes). Augmentation layers sit in front of it in a second model that shares every layer: stage 1
/// trains the head without them, so the frozen base runs once per image (the feature cache); stage 2 fine-tunes
/// through them. The saved model is the one without augmentation.
/// </summary>
internal sealed class TransferModel
{
    /// <summary>The augmentation names <c>--augment</c> takes.</summary>
    public static readonly string[] Augmentations = ["flip", "rotate", "zoom", "translate", "contrast"];

    private TransferModel(Model classifier, Model training, Model baseModel, Layer head)
    {
        Classifier = classifier;
        Training = training;
        Base = baseModel;
        Head = head;
    }

    /// <summary>The model to save and evaluate: image (0–255 RGB) in, class logits out.</summary>
    public Model Classifier { get; }

    /// <summary>The same layers behind the augmentation layers (the classifier itself when there are none).</summary>
    public Model Training { get; }

    /// <summary>The ResNet-18 base.</summary>
    public Model Base { get; }

    /// <summary>The new classification layer on top of the pooled features: the only weights stage 1 trains.</summary>
    public Layer Head { get; }

    public static TransferModel Build(TrainSettings s, int classes)
    {
        long[] shape = [3, s.ImageSize, s.ImageSize];
        bool pretrained = s.Base == "resnet18";
        Model baseModel = ResNet18.Create(pretrained ? "imagenet" : null, includeTop: false, inputShape: shape);
        var preprocess = new ResNet18Preprocessing(name: "preprocess");
        var pool = new GlobalAveragePooling2D(name: "avg_pool");
        var dropout = new Dropout(s.Dropout, name: "dropout");
        var head = new Dense(classes, name: "predictions");
        // A pretrained base keeps its BatchNormalization statistics (training: false); a base from scratch must learn them.
        SymbolicTensor Classify(SymbolicTensor image) =>
            head.Call(dropout.Call(pool.Call(baseModel.Call(preprocess.Call(image), training: pretrained ? false : null))));

        var input = new Input(shape, "image");
        var classifier = new Model(input, Classify(input), name: "classifier");
        Model training = classifier;
        var augment = s.Augment.Select((a, i) => Augmentation(a, s.Seed + i)).ToList();
        if (augment.Count > 0)
        {
            var input2 = new Input(shape, "image_augmented");
            SymbolicTensor x = input2;
            foreach (Layer a in augment) x = a.Call(x);
            training = new Model(input2, Classify(x), name: "classifier_augmented");
        }
        return new TransferModel(classifier, training, baseModel, head);
    }

    private static Layer Augmentation(string name, int seed) => name switch
    {
        "flip" => new RandomFlip("horizontal", seed: seed, name: "random_flip"),
        "rotate" => new RandomRotation(0.05, fillMode: "reflect", seed: seed, name: "random_rotation"),
        "zoom" => new RandomZoom(0.1, seed: seed, name: "random_zoom"),
        "translate" => new RandomTranslation(0.1, 0.1, seed: seed, name: "random_translation"),
        "contrast" => new RandomContrast(0.2, seed: seed, name: "random_contrast"),
        _ => throw new CliException($"unknown augmentation '{name}'."),
    };

    /// <summary>Fails now, before any training, if <see cref="Unfreeze"/> would fail after stage 1.</summary>
    public void CheckUnfreeze(string spec)
    {
        try
        {
            Base.CheckUnfreezeSpec(spec);
        }
        catch (ArgumentException)
        {
            throw new CliException($"--unfreeze {spec}: no layer of the base is named so or starts with it. Use 'all', a fraction of the base " +
                                   "such as 0.3, or where to start: conv1, stage2, stage3, stage4, stage5 (or a block, such as stage5_block2).");
        }
    }

    /// <summary>Unfreezes the base as <c>--unfreeze</c> says; returns a description.</summary>
    public string Unfreeze(string spec)
    {
        if (spec == "all")
        {
            Base.Unfreeze();
            return "all of the base";
        }
        if (double.TryParse(spec, NumberStyles.Float, CultureInfo.InvariantCulture, out double fraction))
        {
            if (!(fraction > 0 && fraction <= 1)) throw new CliException($"--unfreeze {spec}: a fraction must be in (0, 1].");
            var layers = Base.Unfreeze(fraction);
            return $"the last {fraction:P0} of the base's layers ({layers.Count} layers, from '{layers[0].Name}')";
        }
        try
        {
            var layers = Base.Unfreeze(spec);
            return $"the base from '{layers[0].Name}' on ({layers.Count} layers)";
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--unfreeze {spec}: {e.Message}");
        }
    }
}
