using static TorchSharp.torch;

namespace Tanuki;

// What the graph's rewrites need to know about a layer, as small capabilities rather than concrete types: a layer that
// can play a part in a rewrite says so by implementing one (explicitly, so none of this shows on the public surface).

/// <summary>A convolution: the layers channels-last memory speeds up.</summary>
internal interface IConvolution
{
}

/// <summary>
/// A convolution whose output channels (its kernel's axis 0) can absorb a per-channel affine map that follows it (a
/// BatchNormalization in inference mode): run with a rescaled kernel and a new bias, it gives the map's output in one
/// pass. Conv2D and DepthwiseConv2D; both the inference rewrite (<see cref="InferenceFusion"/>) and the fine-tuning
/// step (<see cref="TrainingFusion"/>) fold through it.
/// </summary>
internal interface IFoldableConvolution : IConvolution
{
    /// <summary>Whether it applies no activation of its own (only then is the map right after the convolution).</summary>
    bool IsLinear { get; }

    /// <summary>The kernel (the output channels on axis 0).</summary>
    Variable Kernel { get; }

    /// <summary>The bias, if any.</summary>
    Variable? Bias { get; }

    /// <summary>The convolution with other weights, same window and groups, no activation.</summary>
    Tensor ConvolveWith(Tensor inputs, Tensor kernel, Tensor? bias);
}

/// <summary>
/// A normalization that, in inference mode, is <c>(x − mean)·scale + shift</c> per channel of axis 1 (N×C×H×W).
/// </summary>
internal interface IChannelAffineInInference
{
    /// <summary>Whether its channels are on axis 1.</summary>
    bool OnChannelAxis { get; }

    /// <summary>Whether, called with <paramref name="training"/>, it normalizes by batch statistics (then it cannot fold).</summary>
    bool UsesBatchStatistics(bool training);

    /// <summary>The map's mean, scale and shift (no shift: 0), computed from its current weights.</summary>
    (Tensor Mean, Tensor Scale, Tensor? Shift) InferenceAffine();
}

/// <summary>An elementwise sum of its inputs, all of one shape.</summary>
internal interface IElementwiseAdd
{
}

/// <summary>A layer that may be a plain ReLU, <c>max(x, 0)</c>.</summary>
internal interface IMaybeRelu
{
    /// <summary>Whether it is exactly <c>max(x, 0)</c> (no cap, slope or threshold).</summary>
    bool IsPlainRelu { get; }
}

/// <summary>A spatial pooling whose output for a sample depends on that sample alone (it can run on slices of the batch).</summary>
internal interface IPerSamplePooling
{
}
