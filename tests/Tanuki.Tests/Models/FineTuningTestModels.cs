using Tanuki.Layers;
using Tanuki.Losses;

namespace Tanuki.Tests.Models;

/// <summary>
/// The models of the fine-tuning step's tests (folding, mixed precision): a classifier on a base, every nested layer,
/// normalizations set far from the identity.
/// </summary>
internal static class FineTuningTestModels
{
    /// <summary>input → base (called with <paramref name="baseTraining"/>) → GAP → Dense(classes): the Keras guide's fine-tuning form.</summary>
    public static Model Classifier(Model baseModel, long[] shape, int classes, bool? baseTraining = false)
    {
        var input = new Input(shape);
        SymbolicTensor x = baseModel.Call(input, training: baseTraining);
        x = new Dense(classes).Call(new GlobalAveragePooling2D().Call(x));
        return new Model(input, x);
    }

    /// <summary>
    /// The loss and a copy of every trainable weight's gradient, for one training-mode forward pass with
    /// <paramref name="options"/> applied to the model's options first; the logits are float32 whatever the options.
    /// </summary>
    public static (double Loss, Tensor[] Gradients) Step(Model model, Tensor x, Tensor y, Action<ExecutionOptions> options)
    {
        options(model.Execution);
        using var scope = torch.NewDisposeScope();
        using var tape = new GradientTape();
        Tensor logits = model.Call(x, training: true);
        Assert.Equal(torch.ScalarType.Float32, logits.dtype);
        Tensor loss = new SparseCategoricalCrossentropy(fromLogits: true).Call(y, logits);
        Tensor[] gradients = tape.Gradient(loss, model.TrainableWeights);
        return (loss.item<float>(), gradients.Select(g => g.detach().clone().MoveToOuterDisposeScope()).ToArray());
    }

    /// <summary>Every layer inside <paramref name="layer"/>, depth first, nested models and their layers included.</summary>
    public static IEnumerable<Layer> All(Layer layer) => layer.Layers.SelectMany(l => new[] { l }.Concat(All(l)));

    /// <summary>
    /// Every BatchNormalization's statistics and affine weights far from the identity, so that a wrong fold shows; drawn
    /// from <paramref name="generator"/>, or the global generator when none is given.
    /// </summary>
    public static void RandomizeNormalizations(Layer model, torch.Generator? generator = null)
    {
        foreach (BatchNormalization bn in All(model).OfType<BatchNormalization>())
        {
            long c = bn.Gamma!.Shape[0];
            bn.SetWeights([torch.rand([c], generator: generator) + 0.5, torch.randn([c], generator: generator) * 0.2,
                           torch.randn([c], generator: generator) * 0.2, torch.rand([c], generator: generator) + 0.5]);
        }
    }
}
