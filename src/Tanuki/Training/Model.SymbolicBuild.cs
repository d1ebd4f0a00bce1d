using Tanuki.Data;
using static TorchSharp.torch;

namespace Tanuki;

public partial class Model
{
    /// <summary>
    /// Keras's <c>_symbolic_build</c> before training: a model that is not fully built yet (a Sequential without an
    /// Input, a model of your own whose sublayers build on their first call) is built for the shape of the training
    /// data before <c>Fit</c> reads <c>TrainableWeights</c>, so that every weight trains from the first step. It runs the
    /// model once in inference mode, without gradients, on a zero sample shaped like the data (which updates no state).
    /// </summary>
    private void BuildForTraining(Dataset data)
    {
        if (IsFullyBuilt(this)) return;
        (long[] shape, ScalarType dtype) = FirstBatchShape(data);
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        shape[0] = 1;
        Call(torch.zeros(shape, dtype, device: Backend.Device), training: false);
    }

    private static bool IsFullyBuilt(Layer layer) => layer.Built && layer.Layers.All(IsFullyBuilt);

    /// <summary>The shape and type of the data's first batch (in-memory data without reading a batch).</summary>
    private static (long[] Shape, ScalarType Type) FirstBatchShape(Dataset data)
    {
        if (data is TensorBatches tb) return (tb.X.shape, tb.X.dtype);
        foreach (var (x, y) in data)
        {
            (long[], ScalarType) result = (x.shape, x.dtype);
            x.Dispose();
            y.Dispose();
            return result;
        }
        throw new ArgumentException("The training data yielded no batches.", nameof(data));
    }
}
