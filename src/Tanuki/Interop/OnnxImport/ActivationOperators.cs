using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>Relu, LeakyRelu, Clip → ReLU (or Clip); Sigmoid, Tanh → Activation; Softmax → Softmax.</summary>
internal static class ActivationOperators
{
    public static string? CheckNone(OnnxNode node, OnnxImporter im) => null;

    public static SymbolicTensor[] Relu(OnnxNode node, OnnxImporter im) => [OnnxImporter.Call(new ReLU(name: im.LayerName(node)), im.Value(node.Inputs[0]))];

    public static string? CheckLeakyRelu(OnnxNode node, OnnxImporter im) =>
        node.Float("alpha", 0.01f) < 0 ? $"a negative alpha ({node.Float("alpha", 0.01f)}) is not imported" : null;

    public static SymbolicTensor[] LeakyRelu(OnnxNode node, OnnxImporter im) =>
        [OnnxImporter.Call(new ReLU(negativeSlope: node.Float("alpha", 0.01f), name: im.LayerName(node)), im.Value(node.Inputs[0]))];

    public static SymbolicTensor[] Sigmoid(OnnxNode node, OnnxImporter im) =>
        [OnnxImporter.Call(new Activation(Activations.Sigmoid, name: im.LayerName(node)), im.Value(node.Inputs[0]))];

    public static SymbolicTensor[] Tanh(OnnxNode node, OnnxImporter im) =>
        [OnnxImporter.Call(new Activation(Activations.Tanh, name: im.LayerName(node)), im.Value(node.Inputs[0]))];

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

    public static SymbolicTensor[] Clip(OnnxNode node, OnnxImporter im)
    {
        var (lo, hi) = ClipBounds(node, im);
        string name = im.LayerName(node);
        // Clip(0, 6) is ReLU6: keep Keras's vocabulary where it fits.
        Layer layer = lo == 0 ? new ReLU(maxValue: hi, name: name) : new Layers.Clip(lo, hi, name: name);
        return [OnnxImporter.Call(layer, im.Value(node.Inputs[0]))];
    }

    public static string? CheckSoftmax(OnnxNode node, OnnxImporter im) => null;

    public static SymbolicTensor[] Softmax(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor x = im.Value(node.Inputs[0]);
        int rank = x.Rank;
        long axis = node.Int("axis", im.Opset < 13 ? 1 : -1);
        if (axis < 0) axis += rank;
        if (axis <= 0 || axis >= rank)
            throw new NotSupportedException($"{node.Describe()}: softmax over axis {node.Int("axis", 0)} of a rank-{rank} input {(axis == 0 ? "mixes the samples of a batch" : "is out of range")}; Tanuki imports softmax over non-batch axes.");
        if (im.Opset >= 13 || axis == rank - 1)
            return [OnnxImporter.Call(new Layers.Softmax((int)axis, name: im.LayerName(node)), x)];
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
