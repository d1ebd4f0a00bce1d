using static TorchSharp.torch;

namespace Tanuki.Losses;

/// <summary>
/// A loss: <c>Call(yTrue, yPred)</c> returns the mean over the batch of a per-sample loss (Keras's
/// <c>sum_over_batch_size</c> reduction). Keras names are accepted where a loss is expected.
/// </summary>
public abstract class Loss
{
    /// <summary>Creates a loss with its Keras name.</summary>
    protected Loss(string name) => Name = name;

    /// <summary>The Keras name (<c>mean_squared_error</c>, ...).</summary>
    public string Name { get; }

    /// <summary>The mean loss over the batch, a scalar tensor.</summary>
    /// <param name="yTrue">Targets.</param>
    /// <param name="yPred">Predictions (of the model's output shape).</param>
    public Tensor Call(Tensor yTrue, Tensor yPred)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yTrue.shape[0] != yPred.shape[0])
            throw new ArgumentException($"{GetType().Name}: targets and predictions have different batch sizes: {Shapes.Format(yTrue.shape)} and {Shapes.Format(yPred.shape)}.");
        return PerSample(yTrue, yPred).mean();
    }

    /// <summary>The loss of each sample (shape <c>(N)</c> or <c>(N, ...)</c>).</summary>
    protected abstract Tensor PerSample(Tensor yTrue, Tensor yPred);

    /// <summary>Keras's clipping epsilon for probabilities.</summary>
    protected const double Epsilon = 1e-7;

    /// <summary>Targets as float with the predictions' shape; a clear error if they cannot be.</summary>
    protected Tensor MatchTargets(Tensor yTrue, Tensor yPred)
    {
        Tensor t = yTrue.to_type(yPred.dtype);
        if (t.shape.SequenceEqual(yPred.shape)) return t;
        if (t.dim() == yPred.dim() - 1 && yPred.shape[^1] == 1) return t.unsqueeze(-1);
        if (t.dim() == yPred.dim() + 1 && t.shape[^1] == 1) return t.squeeze(-1);
        throw new ArgumentException(
            $"{GetType().Name}: targets of shape {Shapes.Format(yTrue.shape)} do not match predictions of shape {Shapes.Format(yPred.shape)}." +
            (this is CategoricalCrossentropy && yTrue.dim() == 1 ? " Integer class labels need SparseCategoricalCrossentropy (or one-hot targets)." : string.Empty));
    }

    /// <summary>Looks a loss up by its Keras name (<c>mse</c>, <c>binary_crossentropy</c>, ...).</summary>
    public static Loss Get(string name) => name switch
    {
        "mse" or "mean_squared_error" or "MeanSquaredError" => new MeanSquaredError(),
        "binary_crossentropy" or "BinaryCrossentropy" => new BinaryCrossentropy(),
        "categorical_crossentropy" or "CategoricalCrossentropy" => new CategoricalCrossentropy(),
        "sparse_categorical_crossentropy" or "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropy(),
        _ => throw new ArgumentException(
            $"Unknown loss \"{name}\". Expected one of: mse, mean_squared_error, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy.", nameof(name)),
    };

    /// <summary>Accepts Keras names where a loss is expected.</summary>
    public static implicit operator Loss(string name) => Get(name);
}
