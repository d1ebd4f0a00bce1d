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

    /// <summary>The forward pass of prediction and evaluation on libtorch: inference mode, with <see cref="TestTimeAugmentation"/>.</summary>
    internal Tensor Infer(Tensor x) => Infer(x, v => Call(v, training: false));

    /// <summary>
    /// The forward pass of prediction and evaluation, with <see cref="TestTimeAugmentation"/>: <paramref name="forward"/>
    /// (an inference-mode pass of the whole model: libtorch's <c>Call</c>, or an inference engine's) runs on the batch
    /// and, for <see cref="Tanuki.TestTimeAugmentation.HorizontalFlip"/>, on its mirror image too, and the outputs are averaged.
    /// </summary>
    internal Tensor Infer(Tensor x, Func<Tensor, Tensor> forward)
    {
        Tensor y = forward(x);
        if (TestTimeAugmentation == TestTimeAugmentation.None) return y;
        if (x.dim() != 4)
            throw new InvalidOperationException($"TestTimeAugmentation.HorizontalFlip averages over mirrored images, but model '{Name}' got input of shape {Shapes.Format(x.shape)}, not N×C×H×W. Set TestTimeAugmentation = None for such inputs.");
        using var scope = NewDisposeScope();
        Tensor mirrored = forward(x.flip(-1));
        return ((y + mirrored.to(y.device)) / 2).MoveToOuterDisposeScope();   // engines may differ in output device (ONNX Runtime's are on the CPU)
    }
}
