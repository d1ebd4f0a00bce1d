using Tanuki.Layers;
using Tanuki.Interop.OnnxImport.Protos;
using static Tanuki.Interop.OnnxExport.OnnxAttributes;

namespace Tanuki.Interop.OnnxExport;

/// <summary>MaxPooling2D, AveragePooling2D → MaxPool, AveragePool; the global poolings → GlobalMaxPool, GlobalAveragePool (+ Flatten).</summary>
internal static class PoolingExporters
{
    private static List<AttributeProto> Window(Pooling2D p)
    {
        var attributes = ConvolutionExporters.Window(p.PoolSize, p.Strides, (1, 1), p.Padding, p.ExplicitPadding);
        if (p.CeilMode) attributes.Add(Int("ceil_mode", 1));
        return attributes;
    }

    /// <summary>Padding never wins the maximum, in Tanuki as in ONNX.</summary>
    public static string MaxPooling2D(LayerExport e) =>
        e.Node("MaxPool", "max_pool", [e.Input.Name], Window((Pooling2D)e.Layer).ToArray());

    /// <summary>ONNX's count_include_pad has Tanuki's meaning (0: divide by the input pixels in the window, as "same" does).</summary>
    public static string AveragePooling2D(LayerExport e)
    {
        var p = (AveragePooling2D)e.Layer;
        var attributes = Window(p);
        if (p.CountIncludePad) attributes.Add(Int("count_include_pad", 1));
        return e.Node("AveragePool", "average_pool", [e.Input.Name], attributes.ToArray());
    }

    public static string GlobalAveragePooling2D(LayerExport e) => Global(e, "GlobalAveragePool");

    public static string GlobalMaxPooling2D(LayerExport e) => Global(e, "GlobalMaxPool");

    /// <summary>ONNX's global poolings keep H and W as size-1 axes; without keepDims, a Flatten drops them.</summary>
    private static string Global(LayerExport e, string opType)
    {
        string pooled = e.Node(opType, "pool", [e.Input.Name]);
        return ((GlobalPooling2D)e.Layer).KeepDims ? pooled : e.Node("Flatten", "flatten", [pooled], Int("axis", 1));
    }
}
