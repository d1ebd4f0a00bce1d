using static TorchSharp.torch;

namespace Tanuki.Metrics;

/// <summary>
/// Keras's <c>"mse"</c>/<c>"mean_squared_error"</c> and <c>"mae"</c>/<c>"mean_absolute_error"</c> metrics: the mean over
/// samples of each sample's mean squared (or absolute) error over the last axis. Reached by name through
/// <see cref="Metric.Get"/> (a public class would clash with the loss of the same name).
/// </summary>
internal sealed class ErrorMetric(string name, bool squared) : MeanMetricWrapper(name)
{
    protected override Tensor Values(Tensor yTrue, Tensor yPred)
    {
        Tensor t = yTrue.to_type(yPred.dtype);
        if (t.dim() == yPred.dim() - 1 && yPred.shape[^1] == 1) t = t.unsqueeze(-1);
        if (!t.shape.SequenceEqual(yPred.shape))
            throw new ArgumentException($"Metric '{Name}': targets and predictions must have the same shape. Received: targets of shape {Shapes.Format(yTrue.shape)}, predictions of shape {Shapes.Format(yPred.shape)}.");
        Tensor diff = yPred - t;
        Tensor e = squared ? diff.square() : diff.abs();
        return yPred.dim() == 1 ? e : e.mean([-1]);
    }
}
