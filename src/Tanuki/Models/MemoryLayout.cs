using static TorchSharp.torch;

namespace Tanuki;

/// <summary>
/// Where no gradient flows (inference, a frozen base), a convolutional graph runs on channels-last (NHWC-strided)
/// tensors: libtorch's oneDNN convolutions are faster on them (measured at batch 32: ~1.3× at 224², ~1.1× at 96²),
/// and convolution, batch normalization, ReLU, addition and pooling keep the layout, so one conversion at the input
/// suffices. The values are the same; only the strides differ. Training steps run channels-last too on images of at
/// least <see cref="ExecutionOptions.ChannelsLastTrainingMinimumPixels"/> (there the backward passes measured faster
/// as well; on smaller ones no faster) unless <see cref="ExecutionOptions.ChannelsLastTraining"/> is off;
/// <see cref="ExecutionOptions.ChannelsLastInference"/> turns the inference layout off.
/// </summary>
internal static class MemoryLayout
{
    public static bool UseChannelsLast(Graph graph, IReadOnlyList<Tensor> inputs, ExecutionOptions options)
    {
        if (!graph.HasConvolutions) return false;
        if (inputs.Count != 1 || inputs[0].dim() != 4 || inputs[0].shape[1] <= 1) return false;
        if (IsChannelsLast(inputs[0])) return false;   // already
        if (torch.is_grad_enabled() && (inputs[0].requires_grad || graph.Layers.Any(l => l.Weights.Any(w => w.Value.requires_grad))))
            return options.ChannelsLastTraining && inputs[0].shape[2] * inputs[0].shape[3] >= options.ChannelsLastTrainingMinimumPixels;
        return options.ChannelsLastInference;
    }

    /// <summary>The same values in channels-last memory: N×C×H×W shape, strides of an N×H×W×C tensor.</summary>
    public static Tensor ToChannelsLast(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return false;
        long[] s = x.stride();
        return s[1] == 1 && s[3] == x.shape[1];
    }
}
