using Tanuki.Layers;

namespace Tanuki.Applications;

/// <summary>
/// ResNet-18 as laid out in the ONNX file Tanuki imports (a CNTK export): a 7×7/2 stem, a 3×3/2 max pool, then four
/// stages of basic residual blocks (2, 2, 2 and 3 blocks; 64, 128, 256, 512 channels), no biases in convolutions.
/// The stem and the stride-2 layers pad asymmetrically (more at the top/left), as CNTK did. Built here from layers for
/// <c>weights: null</c>; the same names are given to the imported layers, so both paths give the same model.
/// </summary>
internal static class ResNet18Architecture
{
    public static readonly int[] BlocksPerStage = [2, 2, 2, 3];
    public static readonly int[] ChannelsPerStage = [64, 128, 256, 512];

    /// <summary>The file's BatchNormalization settings (momentum in Keras's meaning, which is ONNX's).</summary>
    public const double BatchNormMomentum = 0.9883496761322021;
    public const double BatchNormEpsilon = 9.999999747378752e-06;

    /// <summary>The features map up to the last block's output (<c>stage5_block3_out</c>).</summary>
    public static SymbolicTensor Features(Input input)
    {
        SymbolicTensor x = Conv(input, 64, 7, 2, (3, 2, 3, 2), "conv1");
        x = Bn(x, "conv1_bn");
        x = new ReLU(name: "conv1_relu").Call(x);
        x = new MaxPooling2D((3, 3), strides: (2, 2), explicitPadding: (1, 0, 1, 0), name: "pool1").Call(x);
        for (int s = 0; s < 4; s++)
            for (int b = 0; b < BlocksPerStage[s]; b++)
                x = Block(x, ChannelsPerStage[s], downsample: s > 0 && b == 0, $"stage{s + 2}_block{b + 1}");
        return x;
    }

    private static SymbolicTensor Block(SymbolicTensor x, int channels, bool downsample, string prefix)
    {
        SymbolicTensor shortcut = x;
        if (downsample)
        {
            shortcut = Conv(x, channels, 1, 2, (0, 0, 0, 0), $"{prefix}_shortcut_conv");
            shortcut = Bn(shortcut, $"{prefix}_shortcut_bn");
        }
        SymbolicTensor y = Conv(x, channels, 3, downsample ? 2 : 1, downsample ? (1, 0, 1, 0) : (1, 1, 1, 1), $"{prefix}_conv1");
        y = Bn(y, $"{prefix}_bn1");
        y = new ReLU(name: $"{prefix}_relu1").Call(y);
        y = Conv(y, channels, 3, 1, (1, 1, 1, 1), $"{prefix}_conv2");
        y = Bn(y, $"{prefix}_bn2");
        y = new Add(name: $"{prefix}_add").Call([y, shortcut])[0];
        return new ReLU(name: $"{prefix}_out").Call(y);
    }

    private static SymbolicTensor Conv(SymbolicTensor x, int filters, int kernel, int stride, (int, int, int, int) pads, string name) =>
        // Keras's default initializers, as keras.applications' ResNets use with weights=None.
        new Conv2D(filters, (kernel, kernel), strides: (stride, stride), padding: "valid", useBias: false, explicitPadding: pads, name: name).Call(x);

    private static SymbolicTensor Bn(SymbolicTensor x, string name) =>
        new BatchNormalization(axis: 1, momentum: BatchNormMomentum, epsilon: BatchNormEpsilon, name: name).Call(x);
}
