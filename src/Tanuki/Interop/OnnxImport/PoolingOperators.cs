using Tanuki.Layers;

namespace Tanuki.Interop.OnnxImport;

/// <summary>MaxPool, AveragePool → MaxPooling2D, AveragePooling2D; GlobalAveragePool, GlobalMaxPool → the global poolings (keeping dims).</summary>
internal static class PoolingOperators
{
    public static string? CheckPool(OnnxNode node, OnnxImporter im)
    {
        if (node.Ints("kernel_shape") is not long[] kernel) return "kernel_shape is missing";
        if (node.Ints("dilations") is long[] d && d.Any(v => v != 1)) return $"dilations [{string.Join(", ", d)}] are not imported (only 1)";
        if (node.OpType == "MaxPool" && im.IsOutputUsed(node, 1)) return "its Indices output is used by the graph; Tanuki imports the values only";
        OnnxWindow.Read(node, kernel, [], out OnnxWindowProblem? problem);
        return problem is { NeedsFixedInputSize: false } ? problem.Message : null;
    }

    private static (SymbolicTensor X, OnnxWindow Window, bool CeilMode) Read(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor x = im.Value(node.Inputs[0]);
        if (x.Rank != 4) throw new NotSupportedException($"{node.Describe()}: only 2-D pooling (inputs N×C×H×W) is imported, but its input has shape {Shapes.Format(x.Shape)}.");
        OnnxWindow window = OnnxWindow.Read(node, node.Ints("kernel_shape")!, x.Shape, out OnnxWindowProblem? problem) ?? throw new NotSupportedException($"{node.Describe()}: {problem!.Message}.");
        return (x, window, node.Int("ceil_mode", 0) != 0);
    }

    public static OnnxLayout[] MaxPool(OnnxNode node, OnnxImporter im)
    {
        var (x, w, ceil) = Read(node, im);
        var layer = new MaxPooling2D(w.Kernel, strides: w.Strides, padding: w.Padding, explicitPadding: w.ExplicitPads, ceilMode: ceil, name: im.LayerName(node));
        return [OnnxImporter.Call(layer, x)];
    }

    public static OnnxLayout[] AveragePool(OnnxNode node, OnnxImporter im)
    {
        var (x, w, ceil) = Read(node, im);
        bool countIncludePad = node.Int("count_include_pad", 0) != 0;
        if (w.SameUpper && countIncludePad)
            throw new NotSupportedException($"{node.Describe()}: auto_pad SAME_UPPER with count_include_pad=1 on an input of free size is not imported; fix the size with OnnxImportOptions.InputShape.");
        var layer = new AveragePooling2D(w.Kernel, strides: w.Strides, padding: w.Padding, explicitPadding: w.ExplicitPads, ceilMode: ceil,
                                         countIncludePad: countIncludePad, name: im.LayerName(node));
        return [OnnxImporter.Call(layer, x)];
    }

    public static string? CheckGlobalPool(OnnxNode node, OnnxImporter im) => null;

    private static SymbolicTensor Input4D(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor x = im.Value(node.Inputs[0]);
        if (x.Rank != 4) throw new NotSupportedException($"{node.Describe()}: only 2-D global pooling (inputs N×C×H×W) is imported, but its input has shape {Shapes.Format(x.Shape)}.");
        return x;
    }

    public static OnnxLayout[] GlobalAveragePool(OnnxNode node, OnnxImporter im) =>
        [OnnxImporter.Call(new GlobalAveragePooling2D(keepDims: true, name: im.LayerName(node)), Input4D(node, im))];

    public static OnnxLayout[] GlobalMaxPool(OnnxNode node, OnnxImporter im) =>
        [OnnxImporter.Call(new GlobalMaxPooling2D(keepDims: true, name: im.LayerName(node)), Input4D(node, im))];
}
