using static TorchSharp.torch;

namespace Tanuki.Losses;

/// <summary>
/// A loss: <c>Call(yTrue, yPred, sampleWeight)</c> computes the loss of every element (<see cref="PerSample"/>, Keras's
/// <c>call</c>), weights it, and reduces it as Keras does. The default reduction, <c>"sum_over_batch_size"</c>, sums the
/// weighted losses and divides by their count, so a sample weight of 0 removes a sample without changing the divisor.
/// Keras names are accepted where a loss is expected.
/// </summary>
public abstract class Loss
{
    /// <summary>Creates a loss with its Keras name and reduction.</summary>
    /// <param name="name">The Keras name (<c>mean_squared_error</c>, ...).</param>
    /// <param name="reduction">How <see cref="Call(Tensor, Tensor, Tensor?)"/> reduces the weighted losses: <c>"sum_over_batch_size"</c> (the
    /// default) or <c>"mean"</c> (sum divided by the number of losses), <c>"sum"</c>, <c>"mean_with_sample_weight"</c>
    /// (sum divided by the sum of the sample weights), or <c>"none"</c>/null (the weighted losses themselves).</param>
    protected Loss(string name, string? reduction = "sum_over_batch_size")
    {
        Name = name;
        Reduction = LossReduction.Standardize(reduction);
    }

    /// <summary>The Keras name (<c>mean_squared_error</c>, ...).</summary>
    public string Name { get; }

    /// <summary>The reduction <see cref="Call(Tensor, Tensor, Tensor?)"/> applies; null for none (see the constructor).</summary>
    public string? Reduction { get; }

    /// <summary>The loss: the weighted per-element losses, reduced (a scalar unless the reduction is none).</summary>
    /// <param name="yTrue">Targets.</param>
    /// <param name="yPred">Predictions (of the model's output shape).</param>
    /// <param name="sampleWeight">Weights: a scalar, one per sample (<c>(N)</c> or <c>(N, 1)</c>), or one per loss
    /// element (e.g. <c>(N, T)</c> for a loss per time step or pixel). Null weighs every element 1.</param>
    /// <exception cref="ArgumentException">Targets, predictions or weights have shapes that do not go together.</exception>
    public Tensor Call(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (!yPred.is_floating_point()) yPred = yPred.to_type(ScalarType.Float32);   // Keras computes losses in floatx
        Tensor values = PerSample(yTrue, yPred);
        Tensor? weight = LossReduction.ApplyMask(sampleWeight, ValidMask(yTrue, yPred), values, Reduction);
        return LossReduction.Reduce(values, weight, Reduction, GetType().Name);
    }

    /// <summary>The loss with every element weighted by <paramref name="sampleWeight"/> (Keras's scalar <c>sample_weight</c>).</summary>
    public Tensor Call(Tensor yTrue, Tensor yPred, double sampleWeight)
    {
        using Tensor weight = torch.tensor(sampleWeight);
        return Call(yTrue, yPred, weight);
    }

    /// <summary>The loss of each element (shape <c>(N)</c> or <c>(N, ...)</c>): Keras's <c>call</c>.</summary>
    protected abstract Tensor PerSample(Tensor yTrue, Tensor yPred);

    /// <summary>
    /// Which elements of <see cref="PerSample"/>'s result count (Keras's mask on the losses), or null for all; masked
    /// elements weigh 0 and, for the mean reductions, the others share their weight (the mean is over the valid ones).
    /// </summary>
    protected virtual Tensor? ValidMask(Tensor yTrue, Tensor yPred) => null;

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
            $"{GetType().Name}: targets and predictions must have the same shape. Received: targets of shape {Shapes.Format(yTrue.shape)}, predictions of shape {Shapes.Format(yPred.shape)}." +
            (this is CategoricalCrossentropy && yTrue.dim() < yPred.dim() ? " Integer class labels need SparseCategoricalCrossentropy (or one-hot targets)." : string.Empty));
    }

    /// <summary>An axis given Keras-style (negative from the end) as an index into a tensor of rank <paramref name="rank"/>.</summary>
    private protected static int Canonical(int axis, long rank, string loss)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentException($"{loss}: axis {axis} is out of range for predictions of rank {rank}. Received: axis={axis}");
        return (int)a;
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
