using static TorchSharp.torch;

namespace Tanuki.Interop;

/// <summary>Options for <see cref="Onnx.Import(string, OnnxImportOptions?)"/>. Every option may be left unset.</summary>
public sealed class OnnxImportOptions
{
    /// <summary>The model's name; by default the ONNX graph's name (or the file's name).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// The shape of one sample (batch dimension left out, -1 for a size left free) for the model's only input,
    /// overriding the file's. Use it to free or fix the spatial size of an image model: <c>[3, -1, -1]</c>.
    /// The batch dimension is always free, whatever the file says.
    /// </summary>
    public long[]? InputShape { get; init; }

    /// <summary>Like <see cref="InputShape"/>, by ONNX input name, for models with several inputs.</summary>
    public IReadOnlyDictionary<string, long[]>? InputShapes { get; init; }

    /// <summary>
    /// Values for graph inputs that should be imported as constants instead of model inputs, by ONNX input name
    /// (for example weights that an exporter made inputs). They become the layers' weights like initializers do.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor>? Constants { get; init; }

    /// <summary>
    /// ONNX tensor names to end the model at, instead of the graph's outputs: cuts the graph there (for example
    /// before a classifier). Nodes that none of these need are neither checked nor imported.
    /// </summary>
    public IReadOnlyList<string>? Outputs { get; init; }

    /// <summary>
    /// Layer names by ONNX node name (or graph input name), for nodes whose layer should not be named after the node. Nodes not listed
    /// give their own name (with '/' replaced by '_'), or <c>optype_index</c> when they have none.
    /// </summary>
    public IReadOnlyDictionary<string, string>? LayerNames { get; init; }
}
