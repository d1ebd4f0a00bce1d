using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Layers;

/// <summary>
/// Normalizes each channel (axis 1: channels of N×C×H×W, features of N×F) to zero mean and unit variance.
/// <para>In training (<c>training: true</c> and <see cref="Layer.Trainable"/>), it normalizes with the batch's
/// statistics and moves its moving statistics towards them:
/// <c>moving = moving · momentum + batch · (1 − momentum)</c> (Keras's convention, variance biased).
/// Otherwise it uses the moving statistics. As in Keras, a frozen BatchNormalization (Trainable false) runs in
/// inference mode whatever <c>training</c> says, so fine-tuning a base does not wreck what it learned.</para>
/// Weights: gamma and beta (trainable), moving_mean and moving_variance (never trainable).
/// </summary>
public sealed class BatchNormalization : Layer, IChannelAffineInInference
{
    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The channel axis (1 for N×C×H×W and N×F; negative counts from the end).</param>
    /// <param name="momentum">Keras momentum of the moving statistics (PyTorch's is 1 − this).</param>
    /// <param name="epsilon">Added to the variance.</param>
    /// <param name="center">Whether to add beta.</param>
    /// <param name="scale">Whether to multiply by gamma.</param>
    /// <param name="name">Layer name.</param>
    public BatchNormalization(int axis = 1, double momentum = 0.99, double epsilon = 1e-3, bool center = true, bool scale = true, string? name = null)
        : base(name)
    {
        Axis = axis;
        Momentum = Guard.InRange(momentum, 0, 1);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, $"epsilon must be positive. Received: epsilon={epsilon}");
        Epsilon = epsilon;
        Center = center;
        Scale = scale;
    }

    /// <summary>The channel axis.</summary>
    public int Axis { get; }
    /// <summary>Keras momentum of the moving statistics.</summary>
    public double Momentum { get; }
    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }
    /// <summary>Whether beta is used.</summary>
    public bool Center { get; }
    /// <summary>Whether gamma is used.</summary>
    public bool Scale { get; }

    /// <summary>Scale (trainable); null before build or without scale.</summary>
    public Variable? Gamma { get; private set; }
    /// <summary>Offset (trainable); null before build or without center.</summary>
    public Variable? Beta { get; private set; }
    /// <summary>Moving mean (non-trainable).</summary>
    public Variable? MovingMean { get; private set; }
    /// <summary>Moving variance (non-trainable).</summary>
    public Variable? MovingVariance { get; private set; }

    /// <inheritdoc />
    internal override bool IsStochastic(bool training) => training && Trainable;

    private int ResolvedAxis(int rank) => Axis < 0 ? rank + Axis : Axis;

    /// <inheritdoc />
    protected override void BuildCore(long[] inputShape)
    {
        int axis = ResolvedAxis(inputShape.Length);
        if (axis < 1 || axis >= inputShape.Length || inputShape[axis] <= 0)
            throw new ArgumentException($"Layer '{Name}': axis {Axis} must be a non-batch axis of known size. Received input shape {Shapes.Format(inputShape)}.");
        long c = inputShape[axis];
        if (Scale) Gamma = AddWeight("gamma", [c], Initializers.Ones);
        if (Center) Beta = AddWeight("beta", [c], Initializers.Zeros);
        MovingMean = AddWeight("moving_mean", [c], Initializers.Zeros, trainable: false);
        MovingVariance = AddWeight("moving_variance", [c], Initializers.Ones, trainable: false);
        InputSpec = new InputSpec(rank: inputShape.Length, axes: new Dictionary<int, long> { [axis] = c });
    }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        int axis = ResolvedAxis((int)inputs.dim());
        Tensor x = axis == 1 ? inputs : inputs.movedim(new long[] { axis }, new long[] { 1 });
        Tensor y = training && Trainable ? TrainingForward(x) : F.batch_norm(x, MovingMean!.Value, MovingVariance!.Value, Gamma?.Value, Beta?.Value, false, 0, Epsilon);
        return axis == 1 ? y : y.movedim(new long[] { 1 }, new long[] { axis });
    }

    private Tensor TrainingForward(Tensor x)
    {
        // libtorch's fused kernel normalizes with the biased batch variance, as Keras does, but keeps the
        // unbiased one as its running variance. Fresh buffers with momentum 1 capture the batch statistics;
        // the Keras update is then done here.
        long c = x.shape[1];
        ScalarType statistics = MovingMean!.Value.dtype;   // float32 also for a bfloat16 input (mixed precision)
        Tensor batchMean = torch.zeros(new long[] { c }, dtype: statistics, device: x.device);
        Tensor batchVar = torch.zeros(new long[] { c }, dtype: statistics, device: x.device);
        Tensor y = F.batch_norm(x, batchMean, batchVar, Gamma?.Value, Beta?.Value, true, 1.0, Epsilon);
        long n = x.numel() / c;
        using (torch.no_grad())
        {
            double toBiased = n > 1 ? (n - 1) / (double)n : 1.0;
            using Scalar momentum = Momentum, meanWeight = 1 - Momentum, varianceWeight = (1 - Momentum) * toBiased;   // see Scalars
            MovingMean!.Value.mul_(momentum).add_(batchMean, alpha: meanWeight);
            MovingVariance!.Value.mul_(momentum).add_(batchVar, alpha: varianceWeight);
            MovingMean.Touch();
            MovingVariance.Touch();
        }
        return y;
    }

    bool IChannelAffineInInference.OnChannelAxis => Axis is 1 or -3;

    // Keras's rule: a frozen BatchNormalization runs in inference mode whatever training says.
    bool IChannelAffineInInference.UsesBatchStatistics(bool training) => training && Trainable;

    (Tensor Mean, Tensor Scale, Tensor? Shift) IChannelAffineInInference.InferenceAffine()
    {
        Tensor scale = (MovingVariance!.Value + Epsilon).rsqrt();
        if (Gamma is not null) scale = scale * Gamma.Value;
        return (MovingMean!.Value, scale, Beta?.Value);
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["axis"] = Axis;
        config["momentum"] = Momentum;
        config["epsilon"] = Epsilon;
        config["center"] = Center;
        config["scale"] = Scale;
        return config;
    }
}
