using static TorchSharp.torch;

namespace Tanuki.Applications;

/// <summary>
/// <see cref="ResNet18.Preprocess"/> as a layer, to sit inside a model: takes N×3×H×W RGB values in 0–255
/// (channels first) and gives BGR minus ImageNet's mean image (at 224×224, exactly as ResNetPreprocess.onnx) or
/// minus its channel means (other sizes). The mean image is a non-trainable weight (<c>mean_image</c>, 3×224×224),
/// so a saved model keeps it: loading one reads it from the <c>.tanuki</c> file and needs no ResNetPreprocess.onnx.
/// </summary>
public sealed class ResNet18Preprocessing : Layer
{
    /// <summary>
    /// Creates the layer. Building it reads the mean image from ResNetPreprocess.onnx (see <see cref="ResNet18"/>),
    /// except while a saved model is loaded, whose file holds the mean image.
    /// </summary>
    /// <param name="name">Layer name.</param>
    public ResNet18Preprocessing(string? name = null) : base(name)
    {
        InputSpec = new InputSpec(rank: 4, axes: new Dictionary<int, long> { [1] = 3 });
    }

    /// <summary>The BGR mean image (non-trainable); null before the layer is built.</summary>
    public Variable? MeanImage { get; private set; }

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        if (inputShape.Length != 4 || (inputShape[1] != 3 && inputShape[1] != -1))
            throw new ArgumentException($"Layer '{Name}' takes images N×3×H×W (RGB, 0–255, channels first). Received input shape {Shapes.Format(inputShape)}.");
        MeanImage = AddWeight("mean_image", [3, ResNet18.DefaultSize, ResNet18.DefaultSize], new MeanImageInitializer(), trainable: false);
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training) => ResNet18.Subtract(inputs.to(ScalarType.Float32).flip(1), MeanImage!.Value);

    private sealed class MeanImageInitializer : Initializer
    {
        public override string Name => "resnet18_mean_image";
        // Loading a model: the file's mean_image overwrites this value (a file without it is refused), so ResNetPreprocess.onnx
        // is not needed, and a saved model predicts where no copy of it exists.
        public override Tensor Create(long[] shape, Fans fans) =>
            Saving.WeightBudget.Loading ? torch.zeros(shape) : ResNet18.MeanImage.clone();
    }
}
