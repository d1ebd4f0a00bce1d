namespace Tanuki.Interop;

/// <summary>Options for <see cref="Model.ExportOnnx(string, OnnxExportOptions?)"/>. Every option may be left unset.</summary>
public sealed class OnnxExportOptions
{
    /// <summary>The ONNX operator set to write: 17 by default (ONNX Runtime 1.13 and later, onnx 1.12 and later); 13 to 17 are accepted.</summary>
    public int Opset { get; init; } = 17;

    /// <summary>
    /// Whether the preprocessing layers at the start of the model (<c>Rescaling</c>, <c>Normalization</c>, <c>Resizing</c>,
    /// <c>ResNet18Preprocessing</c>, and the augmentation layers, which are the identity in inference) are exported. True by
    /// default: the file takes what the model takes (for the transfer-learning workflow, RGB images in 0–255). False: the file
    /// takes their output instead, for a runtime that preprocesses by itself.
    /// </summary>
    public bool IncludePreprocessing { get; init; } = true;

    /// <summary>
    /// Whether a softmax over the last axis is added after every output, so that a classifier trained on logits
    /// (<c>fromLogits: true</c>) gives probabilities. False by default; an output that already comes out of a softmax is refused.
    /// </summary>
    public bool IncludeSoftmax { get; init; }

    /// <summary>
    /// The class names to write in the file's metadata (<c>metadata_props</c> key <c>class_names</c>, a JSON array); by
    /// default the model's <see cref="Model.ClassNames"/>, unless <see cref="Outputs"/> cuts the model.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>
    /// Tensors of a functional model to end the exported graph at, instead of the model's outputs (for example a base's
    /// feature map, <c>model.GetLayer("avg_pool")</c>'s output): only the layers they need are exported.
    /// </summary>
    public IReadOnlyList<SymbolicTensor>? Outputs { get; init; }
}
