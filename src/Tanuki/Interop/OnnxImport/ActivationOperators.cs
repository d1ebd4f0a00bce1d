using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// Relu, LeakyRelu, Clip → ReLU (or Clip); Sigmoid, Tanh, HardSigmoid, HardSwish, Gelu → Activation; Softmax → Softmax.
/// Element-wise layers work on a tensor however its axes are grouped (<see cref="OnnxLayout"/>).
/// </summary>
internal static class ActivationOperators
{
    public static string? CheckNone(OnnxNode node, OnnxImporter im) => null;

    public static OnnxLayout[] Relu(OnnxNode node, OnnxImporter im) => [im.Unary(node, new ReLU(name: im.LayerName(node)))];

    public static string? CheckLeakyRelu(OnnxNode node, OnnxImporter im) =>
        node.Float("alpha", 0.01f) < 0 ? $"a negative alpha ({node.Float("alpha", 0.01f)}) is not imported" : null;

    public static OnnxLayout[] LeakyRelu(OnnxNode node, OnnxImporter im) =>
        [im.Unary(node, new ReLU(negativeSlope: node.Float("alpha", 0.01f), name: im.LayerName(node)))];

    public static OnnxLayout[] Sigmoid(OnnxNode node, OnnxImporter im) =>
        [im.Unary(node, new Activation(Activations.Sigmoid, name: im.LayerName(node)))];

    public static OnnxLayout[] Tanh(OnnxNode node, OnnxImporter im) =>
        [im.Unary(node, new Activation(Activations.Tanh, name: im.LayerName(node)))];

    /// <summary>Keras 3's hard sigmoid is ONNX's with alpha 1/6 and beta 0.5 (PyTorch's); other slopes are
    /// max(0, min(1, alpha·x + beta)) as three plain layers.</summary>
    public static OnnxLayout[] HardSigmoid(OnnxNode node, OnnxImporter im)
    {
        double alpha = node.Float("alpha", 0.2f), beta = node.Float("beta", 0.5f);
        if (Math.Abs(alpha - 1.0 / 6) < 1e-6 && Math.Abs(beta - 0.5) < 1e-6)
            return [im.Unary(node, new Activation(Activations.HardSigmoid, name: im.LayerName(node)))];
        OnnxLayout x = im.Layout(node.Inputs[0]);
        var scale = new ConstantArithmetic("multiply", [], name: im.LayerName(node, "alpha"));
        var shift = new ConstantArithmetic("add", [], name: im.LayerName(node, "beta"));
        SymbolicTensor y = OnnxImporter.Call(scale, x.Tensor);
        y = OnnxImporter.Call(shift, y);
        scale.Constant!.Assign(torch.tensor((float)alpha));
        shift.Constant!.Assign(torch.tensor((float)beta));
        return [x.On(OnnxImporter.Call(new Layers.Clip(0, 1, name: im.LayerName(node)), y))];
    }

    public static string? CheckGelu(OnnxNode node, OnnxImporter im) =>
        node.String("approximate", "none") == "none" ? null : $"approximate=\"{node.String("approximate", "none")}\" is not imported (the exact GELU is)";

    /// <summary>Gelu (opset 20), the exact one: Keras's gelu.</summary>
    public static OnnxLayout[] Gelu(OnnxNode node, OnnxImporter im) =>
        [im.Unary(node, new Activation(Activations.Gelu, name: im.LayerName(node)))];

    /// <summary>HardSwish (opset 14) is x · hard_sigmoid(x): Keras's hard_silu.</summary>
    public static OnnxLayout[] HardSwish(OnnxNode node, OnnxImporter im) =>
        [im.Unary(node, new Activation(Activations.HardSilu, name: im.LayerName(node)))];

    private static (double? Min, double? Max) ClipBounds(OnnxNode node, OnnxImporter im)
    {
        if (im.Opset < 11)
        {
            double? lo = node.Has("min") ? node.Float("min", 0) : null;
            double? hi = node.Has("max") ? node.Float("max", 0) : null;
            return (lo, hi);
        }
        Tensor? min = im.OptionalConstant(node, 1), max = im.OptionalConstant(node, 2);
        return (min?.to(ScalarType.Float64).item<double>(), max?.to(ScalarType.Float64).item<double>());
    }

    public static string? CheckClip(OnnxNode node, OnnxImporter im)
    {
        if (im.Opset >= 11)
            for (int i = 1; i <= 2; i++)
                if (node.Input(i) is string s && !im.IsConstant(s)) return $"its {(i == 1 ? "min" : "max")} is computed by the graph; it must be a constant";
        var (lo, hi) = ClipBounds(node, im);
        return lo is double a && hi is double b && a > b ? $"min {a} is greater than max {b}" : null;
    }

    public static OnnxLayout[] Clip(OnnxNode node, OnnxImporter im)
    {
        var (lo, hi) = ClipBounds(node, im);
        string name = im.LayerName(node);
        // Clip(0, 6) is ReLU6: keep Keras's vocabulary where it fits.
        Layer layer = lo == 0 ? new ReLU(maxValue: hi, name: name) : new Layers.Clip(lo, hi, name: name);
        return [im.Unary(node, layer)];
    }

    public static string? CheckSoftmax(OnnxNode node, OnnxImporter im) => null;

    public static OnnxLayout[] Softmax(OnnxNode node, OnnxImporter im)
    {
        OnnxLayout l = im.Layout(node.Inputs[0]);
        int rank = l.Rank;
        long axis = node.Int("axis", im.Opset < 13 ? 1 : -1);
        if (axis < 0) axis += rank;
        if (axis < 0 || axis >= rank || l.Groups[axis].Contains(0))
            throw new NotSupportedException($"{node.Describe()}: softmax over axis {node.Int("axis", 0)} of ONNX shape {l.FormatShape()} {(axis >= 0 && axis < rank ? "mixes the samples of a batch" : "is out of range")}; Tanuki imports softmax over non-batch axes.");
        if (im.Opset >= 13 || axis == rank - 1)
        {
            // Over one ONNX axis: over the tensor axis that holds it, wherever that is.
            l = im.Merge(node.Inputs[0], (int)axis);
            return [l.On(OnnxImporter.Call(new Layers.Softmax(l.Groups[axis][0], name: im.LayerName(node)), l.Tensor))];
        }
        SymbolicTensor x = im.Value(node.Inputs[0]);
        // Before opset 13, Softmax flattens the axes from `axis` on into one and normalizes over all of them.
        long[] sample = x.Shape[1..];
        if (sample.Any(d => d < 0))
            throw new NotSupportedException($"{node.Describe()}: opset {im.Opset} softmax over axes {axis}.. of an input of free size {Shapes.Format(x.Shape)} is not imported; fix the input size with OnnxImportOptions.InputShape.");
        long[] flat = [.. sample[..(int)(axis - 1)], -1];
        SymbolicTensor y = OnnxImporter.Call(new Reshape(flat, name: im.LayerName(node, "flatten")), x);
        y = OnnxImporter.Call(new Layers.Softmax(-1, name: im.LayerName(node)), y);
        return [OnnxImporter.Call(new Reshape(sample, name: im.LayerName(node, "unflatten")), y)];
    }
}
