using Tanuki.Applications;
using Tanuki.FineTuning;
using Tanuki.Layers;
using Tanuki.Losses;
using Tanuki.Optimizers;
using static TorchSharp.torch;

namespace Tanuki.FewShot;

/// <summary>What a row predicted for the test images, and what the recipe said about itself.</summary>
internal sealed record RowOutcome(int[] Predicted, IReadOnlyList<string>? Choices = null, bool? FineTuningKept = null, string? Note = null);

/// <summary>
/// The rows that run Tanuki: the recipe as <c>tanuki train</c> runs it, with and without fine-tuning, and the frozen
/// base's features for the linear probe.
/// </summary>
internal static class TanukiRows
{
    /// <summary>
    /// <c>tanuki</c> (all defaults) or <c>tanuki-frozen</c> (<c>FineTuneEpochs = 0</c>): the classifier <c>tanuki
    /// train</c> builds (ResNet-18, the default random-flip augmentation and dropout, --seed 1), compiled as it
    /// compiles it, trained by <c>Model.FineTune</c>, then <c>Predict</c> on the test images (with the test-time
    /// augmentation the recipe chose).
    /// </summary>
    public static RowOutcome Recipe(IRunData data, int size, bool frozen)
    {
        TanukiInfo.SetRandomSeed(1);
        var tm = TransferModel.Create(ImageBase.ResNet18, data.ClassNames.Count, size);
        tm.Classifier.ClassNames = data.ClassNames;
        tm.Classifier.Compile(new Adam(1e-3), new SparseCategoricalCrossentropy(fromLogits: true), ["accuracy"]);
        var options = frozen ? new FineTuneOptions { Verbose = 0, FineTuneEpochs = 0 } : new FineTuneOptions { Verbose = 0 };
        FineTuneResult result = tm.Classifier.FineTune(tm.Base, data.Train(), null, options);
        int[] predicted = Argmax(tm.Classifier.Predict(data.Test()));
        return new RowOutcome(predicted, result.Choices.Select(c => c.ToString()).ToList(), result.FineTuningKept);
    }

    /// <summary>
    /// The frozen base's pooled features (512 per image) of the training and the test images: the same images, resize
    /// and preprocessing as the recipe's, one view each (no augmentation), in inference mode.
    /// </summary>
    public static (float[] Train, float[] Test, int Width) Features(IRunData data, int size)
    {
        ImageBase imageBase = ImageBase.ResNet18;
        Model baseModel = imageBase.Create(size, size);
        var input = new Input([3, size, size], "image");
        SymbolicTensor x = imageBase.CreatePreprocessing().Call(input);
        x = new GlobalAveragePooling2D(name: "avg_pool").Call(baseModel.Call(x, training: false));
        var features = new Model(input, x, name: "features");
        using Tensor train = features.Predict(data.TrainInOrder()), test = features.Predict(data.Test());
        return (train.data<float>().ToArray(), test.data<float>().ToArray(), (int)train.shape[1]);
    }

    private static int[] Argmax(Tensor logits)
    {
        using (logits)
        using (Tensor classes = logits.argmax(-1))
            return classes.data<long>().ToArray().Select(c => (int)c).ToArray();
    }
}
