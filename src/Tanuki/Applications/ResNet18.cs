using Tanuki.Interop;
using Tanuki.Interop.OnnxImport;
using Tanuki.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Applications;

/// <summary>
/// ResNet-18 pretrained on ImageNet, as a Tanuki model whose every layer can be frozen or trained (Keras's
/// <c>keras.applications</c> in spirit). The weights are the ONNX model of the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (MIT), imported with <see cref="Onnx.Import"/>; nothing is
/// downloaded at run time.
/// </summary>
/// <remarks>
/// <para><b>Input.</b> Batches N×3×H×W preprocessed with <see cref="Preprocess"/> (or the
/// <see cref="ResNet18Preprocessing"/> layer): images given as RGB values in 0–255, channels first, become BGR minus
/// ImageNet's mean. H and W must be multiples of 32 (64, 96, 160, 224, ...): the file pads its stride-2 layers
/// asymmetrically, as CNTK (which exported it) did for even sizes, so every stage needs an even size.</para>
/// <para><b>Layer names</b> mark the stages: <c>input</c>; <c>conv1</c>, <c>conv1_bn</c>, <c>conv1_relu</c>,
/// <c>pool1</c> (the stem); then for stage s = 2..5 and block b (2, 2, 2 and 3 blocks): <c>stage{s}_block{b}_conv1</c>,
/// <c>_bn1</c>, <c>_relu1</c>, <c>_conv2</c>, <c>_bn2</c>, <c>_shortcut_conv</c> and <c>_shortcut_bn</c> (first block of
/// stages 3–5), <c>_add</c>, <c>_out</c>; then <c>avg_pool</c> (includeTop) or <c>avg_pool</c>/<c>max_pool</c>
/// (pooling). Layers come in that order, so unfreezing from stage 4 (and freezing what comes before) is one line:
/// <c>baseModel.Unfreeze("stage4");</c> (a name prefix; <c>"stage5_block2"</c> works too).</para>
/// </remarks>
public static class ResNet18
{
    /// <summary>ImageNet's mean in the order the network sees channels (B, G, R), averaged over the file's mean image.</summary>
    public static IReadOnlyList<double> ChannelMeansBgr { get; } = [103.06262402, 115.90288236, 123.15163078];

    /// <summary>The smallest height and width the network takes (every stage still has at least one pixel).</summary>
    public const int MinimumSize = 32;

    /// <summary>The size the file was trained at, the only size <c>includeTop: true</c> takes.</summary>
    public const int DefaultSize = 224;

    /// <summary>Creates ResNet-18.</summary>
    /// <param name="weights"><c>"imagenet"</c> for the pretrained weights, null for random initialisation (same
    /// architecture, no file needed), or the path of a ResNet18.onnx file.</param>
    /// <param name="includeTop">True: end with the file's 7×7 average pool, giving its 512 pooled features
    /// (N, 512, 1, 1); only 224×224 inputs. False (the default, as for fine-tuning): end at the last feature map
    /// (N, 512, H/32, W/32), which any input size that is a multiple of 32 gives.</param>
    /// <param name="inputShape">(3, H, W) of one sample, H and W multiples of 32 and at least 32 (-1 leaves a size free, for
    /// inputs whose size varies; they must still be multiples of 32). By default (3, 224, 224), the size of the weights'
    /// training images.</param>
    /// <param name="pooling">With includeTop false: null for the 4-D feature map, <c>"avg"</c> or <c>"max"</c> for a
    /// global pooling to (N, 512).</param>
    /// <param name="weightsPath">Where ResNet18.onnx is, if not in <c>TANUKI_HOME</c> (default <c>~/.tanuki/models</c>)
    /// or the NuGet global packages folder.</param>
    /// <exception cref="FileNotFoundException">The weights file is not found; the message says how to get it.</exception>
    /// <exception cref="ArgumentException">An argument is invalid (for example an input smaller than 32×32).</exception>
    public static Model Create(string? weights = "imagenet", bool includeTop = false, long[]? inputShape = null, string? pooling = null, string? weightsPath = null)
    {
        if (weights is not null && weights != "imagenet")
        {
            if (!File.Exists(weights))
                throw new ArgumentException($"The `weights` argument should be either null (random initialization), \"imagenet\" (pre-training on ImageNet), or the path to the weights file to be loaded. Received: weights=\"{weights}\"", nameof(weights));
            weightsPath = weights;
        }
        if (pooling is not null) Guard.OneOf(pooling, ["avg", "max"]);
        if (includeTop && pooling is not null)
            throw new ArgumentException($"pooling applies to includeTop: false (the top already pools to 512 features). Received: includeTop=true, pooling=\"{pooling}\"", nameof(pooling));
        long[] shape = CheckInputShape(inputShape, includeTop);

        Model model = weights is null ? Build(shape, includeTop) : Import(ResNet18Files.FindModel(weightsPath), shape, includeTop);
        if (pooling is null) return model;
        SymbolicTensor x = model.Outputs[0];
        x = pooling == "avg" ? new GlobalAveragePooling2D(name: "avg_pool").Call(x) : new GlobalMaxPooling2D(name: "max_pool").Call(x);
        return new Model(model.Inputs, [x], name: "resnet18");
    }

    private static long[] CheckInputShape(long[]? inputShape, bool includeTop)
    {
        if (inputShape is null) return [3, DefaultSize, DefaultSize];
        if (inputShape.Length != 3 || inputShape[0] != 3)
            throw new ArgumentException($"The input must have 3 channels, channels first: inputShape=(3, H, W). Received: inputShape={Shapes.Format(inputShape)}", nameof(inputShape));
        foreach (long d in inputShape[1..])
        {
            if (d == -1) continue;
            if (d < MinimumSize)
                throw new ArgumentException($"Input size must be at least {MinimumSize}x{MinimumSize}; Received: inputShape={Shapes.Format(inputShape)}. " +
                                            "Resize smaller images up first (a Resizing layer): ResNet-18 halves the size 5 times.", nameof(inputShape));
            if (d % 32 != 0)
                throw new ArgumentException($"Input height and width must be multiples of 32 (64, 96, 128, 160, 224, ...); Received: inputShape={Shapes.Format(inputShape)}. " +
                                            "This ResNet-18 pads like CNTK, which exported it: its residual additions need even sizes at every stage. Resize or crop to a multiple of 32.", nameof(inputShape));
        }
        if (includeTop && (inputShape[1] != DefaultSize || inputShape[2] != DefaultSize))
            throw new ArgumentException($"When setting includeTop=true, inputShape should be (3, {DefaultSize}, {DefaultSize}): the top's 7×7 pool fits that size only. " +
                                        $"Use includeTop: false (with pooling: \"avg\") for other sizes. Received: inputShape={Shapes.Format(inputShape)}", nameof(inputShape));
        return (long[])inputShape.Clone();
    }

    private static Model Build(long[] shape, bool includeTop)
    {
        var input = new Input(shape, "input");
        SymbolicTensor x = ResNet18Architecture.Features(input);
        if (includeTop) x = new AveragePooling2D((7, 7), strides: (1, 1), name: "avg_pool").Call(x);
        return new Model(input, x, name: "resnet18");
    }

    private static Model Import(string path, long[] shape, bool includeTop)
    {
        OnnxGraph graph = OnnxGraph.Read(path);
        ResNet18Naming.Result naming = ResNet18Naming.Read(graph);
        var names = new Dictionary<string, string>(naming.LayerNames) { [graph.Inputs[0].Name] = "input" };
        string output = includeTop
            ? graph.Nodes.First(n => n.Name == naming.TopPoolNode).Outputs[0]
            : naming.FeaturesTensor;
        var options = new OnnxImportOptions { Name = "resnet18", InputShape = shape, Outputs = [output], LayerNames = names };
        return new OnnxImporter(graph, options).Import();
    }

    /// <summary>
    /// Prepares images the way the pretrained weights expect (the file ResNetPreprocess.onnx of the same package):
    /// RGB → BGR, then minus ImageNet's mean image at 224×224, exactly as that file does, or minus its per-channel means
    /// (B 103.06, G 115.90, R 123.15) at other sizes. No scaling.
    /// </summary>
    /// <param name="imagesRgb0to255">N×3×H×W (or 3×H×W) RGB values in 0–255, channels first.</param>
    /// <returns>A new float32 tensor of the same shape, on the same device.</returns>
    /// <exception cref="ArgumentException">The tensor is not N×3×H×W or 3×H×W.</exception>
    /// <exception cref="FileNotFoundException">At 224×224, ResNetPreprocess.onnx (the mean image) is not found.</exception>
    public static Tensor Preprocess(Tensor imagesRgb0to255)
    {
        ArgumentNullException.ThrowIfNull(imagesRgb0to255);
        long[] s = imagesRgb0to255.shape;
        bool single = s.Length == 3;
        if (!(s.Length is 3 or 4) || s[^3] != 3)
            throw new ArgumentException($"Expected images N×3×H×W (or one image 3×H×W), RGB values in 0–255, channels first. Received: shape {Shapes.Format(s)}", nameof(imagesRgb0to255));
        using var scope = torch.NewDisposeScope();
        Tensor x = single ? imagesRgb0to255.unsqueeze(0) : imagesRgb0to255;
        Tensor y = Subtract(x.to(ScalarType.Float32).flip(1));
        return (single ? y.squeeze(0) : y).MoveToOuterDisposeScope();
    }

    /// <summary>BGR images minus the mean image (224×224) or the channel means (other sizes).</summary>
    internal static Tensor Subtract(Tensor bgr, Tensor? meanImage = null)
    {
        if (bgr.shape[2] == DefaultSize && bgr.shape[3] == DefaultSize)
            return bgr - (meanImage ?? MeanImage).to(bgr.device);
        Tensor means = torch.tensor(ChannelMeansBgr.Select(m => (float)m).ToArray(), device: bgr.device).view(1, 3, 1, 1);
        return bgr - means;
    }

    /// <summary>
    /// The (3, 224, 224) BGR mean image of ResNetPreprocess.onnx, read once per file. The file is looked up at every
    /// call (a few stat calls), so that a missing file is reported wherever it is needed, never hidden by an earlier read.
    /// </summary>
    internal static Tensor MeanImage
    {
        get
        {
            string path = ResNet18Files.FindPreprocess();
            lock (s_meanImageLock)
            {
                if (s_meanImage is not { } cached || cached.Path != path) s_meanImage = cached = (path, ReadMeanImage(path));
                return cached.Value;
            }
        }
    }

    private static readonly object s_meanImageLock = new();
    private static (string Path, Tensor Value)? s_meanImage;

    private static Tensor ReadMeanImage(string path)
    {
        OnnxGraph graph = OnnxGraph.Read(path);
        var proto = graph.Initializers.Values.SingleOrDefault(t => t.Dims.SequenceEqual(new long[] { 1, 3, DefaultSize, DefaultSize }))
            ?? throw new InvalidDataException($"'{path}' holds no 1×3×224×224 mean image; it is not the ResNetPreprocess.onnx Tanuki expects.");
        using var scope = torch.NewDisposeScope();
        return OnnxTensors.ToTensor(proto, graph.Directory, $"The mean image of '{path}'").reshape(3, DefaultSize, DefaultSize).MoveToOuterDisposeScope().DetachFromDisposeScope();
    }
}
