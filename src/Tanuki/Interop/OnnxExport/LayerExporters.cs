using Tanuki.Applications;
using Tanuki.Layers;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// The layer types the exporter writes, each with the function that writes one call of it (the inverse of the
/// importer's <c>OnnxOperators</c>). Types match exactly: a layer of another type, a custom one say, is reported by name.
/// Models are not here: the exporter inlines their layers.
/// </summary>
internal static class LayerExporters
{
    private static readonly Dictionary<Type, Func<LayerExport, string>> s_exporters = new()
    {
        [typeof(InputLayer)] = CoreExporters.Identity,
        [typeof(Dense)] = CoreExporters.Dense,
        [typeof(ConstantArithmetic)] = CoreExporters.ConstantArithmetic,
        [typeof(Dropout)] = CoreExporters.Dropout,
        [typeof(Activation)] = ActivationExporters.Activation,
        [typeof(ReLU)] = ActivationExporters.ReLU,
        [typeof(LeakyReLU)] = ActivationExporters.LeakyReLU,
        [typeof(Clip)] = ActivationExporters.Clip,
        [typeof(Softmax)] = ActivationExporters.Softmax,
        [typeof(Conv2D)] = ConvolutionExporters.Conv2D,
        [typeof(DepthwiseConv2D)] = ConvolutionExporters.DepthwiseConv2D,
        [typeof(BatchNormalization)] = ConvolutionExporters.BatchNormalization,
        [typeof(MaxPooling2D)] = PoolingExporters.MaxPooling2D,
        [typeof(AveragePooling2D)] = PoolingExporters.AveragePooling2D,
        [typeof(GlobalAveragePooling2D)] = PoolingExporters.GlobalAveragePooling2D,
        [typeof(GlobalMaxPooling2D)] = PoolingExporters.GlobalMaxPooling2D,
        [typeof(Add)] = MergeExporters.Add,
        [typeof(Subtract)] = MergeExporters.Subtract,
        [typeof(Multiply)] = MergeExporters.Multiply,
        [typeof(Divide)] = MergeExporters.Divide,
        [typeof(Concatenate)] = MergeExporters.Concatenate,
        [typeof(ConstantConcatenate)] = MergeExporters.ConstantConcatenate,
        [typeof(MatMul)] = MergeExporters.MatMul,
        [typeof(LayerNormalization)] = NormalizationExporters.LayerNormalization,
        [typeof(Flatten)] = ShapeExporters.Flatten,
        [typeof(Reshape)] = ShapeExporters.Reshape,
        [typeof(Permute)] = ShapeExporters.Permute,
        [typeof(Slice)] = ShapeExporters.Slice,
        [typeof(Pad)] = ShapeExporters.Pad,
        [typeof(ZeroPadding2D)] = ShapeExporters.ZeroPadding2D,
        [typeof(Rescaling)] = PreprocessingExporters.Rescaling,
        [typeof(Normalization)] = PreprocessingExporters.Normalization,
        [typeof(ResNet18Preprocessing)] = PreprocessingExporters.ResNet18Preprocessing,
        [typeof(Resizing)] = ResizeExporter.Resizing,
        [typeof(RandomCrop)] = ResizeExporter.RandomCrop,
        // Augmentation acts in training only: in inference, which is what a file for deployment computes, it is the identity.
        [typeof(RandomFlip)] = CoreExporters.Identity,
        [typeof(RandomRotation)] = CoreExporters.Identity,
        [typeof(RandomZoom)] = CoreExporters.Identity,
        [typeof(RandomTranslation)] = CoreExporters.Identity,
        [typeof(RandomContrast)] = CoreExporters.Identity,
        [typeof(RandomBrightness)] = CoreExporters.Identity,
    };

    public static bool TryGet(Layer layer, out Func<LayerExport, string> export) => s_exporters.TryGetValue(layer.GetType(), out export!);

    /// <summary>The names of the exportable layer types, for messages.</summary>
    public static IEnumerable<string> SupportedTypes => s_exporters.Keys.Select(t => t.Name).Order(StringComparer.Ordinal);

    /// <summary>The exportable layer types (tests check that every built-in layer is among them).</summary>
    public static IReadOnlyCollection<Type> Types => s_exporters.Keys;
}
