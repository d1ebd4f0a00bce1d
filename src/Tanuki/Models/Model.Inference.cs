using Tanuki.Data;
using static TorchSharp.torch;

namespace Tanuki;

public partial class Model
{
    /// <summary>
    /// What <c>Predict</c> and <c>Evaluate</c> average the output over: <see cref="Tanuki.TestTimeAugmentation.HorizontalFlip"/>
    /// averages the outputs for each image and its mirror image. The fine-tuning recipe sets it when cross-validation
    /// shows that it helps; <c>Save</c> keeps it. <c>Call</c> and training are not affected.
    /// </summary>
    public TestTimeAugmentation TestTimeAugmentation { get; set; }

    /// <summary>
    /// How images of another size or shape were brought to this model's input size when it was trained, so that
    /// prediction loads them the same way (<see cref="ImageDataset.LoadImage(string, Model)"/>, <c>tanuki predict</c>);
    /// null when unknown (images are then stretched). <c>Save</c> keeps it.
    /// </summary>
    public ResizeMode? ImageResize { get; set; }

    /// <summary>The forward pass of prediction and evaluation: inference mode, with <see cref="TestTimeAugmentation"/>.</summary>
    internal Tensor Infer(Tensor x)
    {
        Tensor y = Call(x, training: false);
        if (TestTimeAugmentation == TestTimeAugmentation.None) return y;
        if (x.dim() != 4)
            throw new InvalidOperationException($"TestTimeAugmentation.HorizontalFlip averages over mirrored images, but model '{Name}' got input of shape {Shapes.Format(x.shape)}, not N×C×H×W. Set TestTimeAugmentation = None for such inputs.");
        using var scope = NewDisposeScope();
        Tensor mirrored = Call(x.flip(-1), training: false);
        return ((y + mirrored) / 2).MoveToOuterDisposeScope();
    }
}
