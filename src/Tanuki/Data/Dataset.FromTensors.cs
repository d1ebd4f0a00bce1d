using static TorchSharp.torch;

namespace Tanuki.Data;

public abstract partial class Dataset
{
    /// <summary>
    /// A dataset whose elements are the samples of <paramref name="x"/> and <paramref name="y"/> along their first
    /// dimension (tf.data's <c>from_tensor_slices</c>): element <c>i</c> is <c>(x[i], y[i])</c>, a fresh copy. Chain
    /// <see cref="Batch(int, bool)"/> before <c>Fit</c>. The dataset reads the tensors you pass when it is enumerated:
    /// keep them alive (undisposed) as long as the dataset is used.
    /// </summary>
    /// <param name="x">Inputs, samples first (images <c>N×C×H×W</c>).</param>
    /// <param name="y">Targets, one per sample.</param>
    /// <param name="classNames">Class names by label index, if the targets are class labels.</param>
    /// <exception cref="ArgumentException">x and y have different numbers of samples.</exception>
    public static Dataset FromTensors(Tensor x, Tensor y, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return new TensorSamples(x, y, classNames);
    }

    /// <summary>
    /// A dataset of the samples of two arrays (<c>float[,,,]</c> images, <c>int[]</c> labels, ...), as Keras takes
    /// NumPy arrays: floating point becomes float32, integers int64.
    /// </summary>
    /// <param name="x">Inputs, samples first.</param>
    /// <param name="y">Targets, one per sample.</param>
    /// <param name="classNames">Class names by label index, if the targets are class labels.</param>
    public static Dataset FromTensors(Array x, Array y, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        using var scope = NewDisposeScope();
        var (tx, ty) = scope.Detach(Arrays.ToTensor(x), Arrays.ToTensor(y));   // ours, for the dataset's lifetime
        return new TensorSamples(tx, ty, classNames);
    }
}
