using Tanuki.Interop;
using Tanuki.Interop.OnnxImport;
using Tanuki.Layers;

namespace Tanuki.Applications;

/// <summary>
/// Any ONNX image classifier (exported from torchvision, timm, Hugging Face, the ONNX model zoo) as a base: imported
/// layer by layer, cut before its classifier, with the preprocessing its weights expect as a layer (see
/// <see cref="ImageBase.FromOnnx"/>).
/// </summary>
internal sealed class OnnxImageBase : ImageBase
{
    private readonly string _path;
    private readonly string _output;
    private readonly string _preprocessing;
    private int? _featureWidth;

    public OnnxImageBase(string path, string preprocessing, string? output, int? nativeSize)
    {
        _path = Path.GetFullPath(path);
        _preprocessing = preprocessing;
        OnnxGraph graph = OnnxGraph.Read(_path);
        if (graph.Inputs.Length != 1)
            throw new ArgumentException($"An image base takes one input; '{path}' has {graph.Inputs.Length} ({string.Join(", ", graph.Inputs.Select(i => i.Name))}).", nameof(path));
        long[]? shape = graph.Inputs[0].Shape;
        if (shape is { Length: 4 } && shape[1] is not (3 or -1))
            throw new ArgumentException($"An image base takes RGB images N×3×H×W; '{path}' takes {string.Join("×", shape.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)))}.", nameof(path));
        int? fileSize = shape is { Length: 4 } && shape[2] > 0 && shape[2] == shape[3] ? (int)shape[2] : null;
        NativeSize = nativeSize ?? fileSize ?? 224;
        _output = output ?? FindFeatures(graph, path);
        if (output is not null && !graph.Nodes.Any(n => n.Outputs.Contains(output)))
            throw new ArgumentException($"'{path}' has no tensor named '{output}'. Its last tensors are: {string.Join(", ", LastTensors(graph))}.", nameof(output));
        Name = Path.GetFileNameWithoutExtension(_path);
    }

    public override string Name { get; }

    public override string Description => $"{Name} imported from {_path} (cut at '{_output}', {_preprocessing} preprocessing)";

    public override int NativeSize { get; }

    public override int MinimumSize => 32;

    public override int SizeMultiple => 1;

    public override int FeatureWidth => _featureWidth ??= (int)Create(NativeSize, NativeSize).Outputs[0].Shape[1];

    public override IReadOnlyList<string> Blocks => [];

    public override Model Create(int height, int width, bool pretrained = true)
    {
        if (!pretrained)
            throw new NotSupportedException($"The ONNX base '{Name}' comes with its weights; training its architecture from random weights is not supported. Use the resnet18 base for that.");
        Model model = Onnx.Import(_path, new OnnxImportOptions { Name = Name, InputShape = [3, height, width], Outputs = [_output] });
        _featureWidth ??= (int)model.Outputs[0].Shape[1];
        return model;
    }

    public override Layer CreatePreprocessing() => _preprocessing switch
    {
        // torchvision's and timm's default: 0–1, then ImageNet's per-channel mean and standard deviation.
        "imagenet" => new Sequential(null, [new Rescaling(1 / 255.0, name: "to_unit"),
            new Normalization(1, [0.485, 0.456, 0.406], [0.229 * 0.229, 0.224 * 0.224, 0.225 * 0.225], name: "imagenet_normalization")], "preprocess"),
        // Inception, Xception, most TensorFlow and many Hugging Face exports: −1 to 1.
        "inception" => new Rescaling(1 / 127.5, -1, name: "preprocess"),
        "unit" => new Rescaling(1 / 255.0, name: "preprocess"),
        _ => new Rescaling(1, name: "preprocess"),   // "none": the model takes 0–255 itself
    };

    /// <summary>
    /// The input of the classifier: the last Gemm or MatMul whose output reaches the graph's output through ops that
    /// only finish a classification (bias, softmax, reshape), so the base ends at the pooled features.
    /// </summary>
    private static string FindFeatures(OnnxGraph graph, string path)
    {
        var producer = new Dictionary<string, OnnxNode>();
        foreach (OnnxNode n in graph.Nodes)
            foreach (string o in n.NamedOutputs) producer[o] = n;
        string current = graph.Outputs[0].Name;
        for (int steps = 0; steps < 8 && producer.TryGetValue(current, out OnnxNode? node); steps++)
        {
            if (node.OpType is "Gemm" or "MatMul") return node.Inputs[0];
            if (node.OpType is not ("Add" or "Softmax" or "LogSoftmax" or "Identity" or "Flatten" or "Reshape" or "Squeeze" or "Dropout")) break;
            current = node.Inputs[0];
        }
        throw new ArgumentException(
            $"Cannot tell where the classifier of '{path}' starts (no fully connected layer at its end). Name the tensor to cut at " +
            $"(the features before the classifier) with output: / --base-output; its last tensors are: {string.Join(", ", LastTensors(graph))}.", nameof(path));
    }

    private static IEnumerable<string> LastTensors(OnnxGraph graph) =>
        graph.Nodes.TakeLast(8).Select(n => $"{string.Join("/", n.NamedOutputs)} ({n.OpType})");
}
