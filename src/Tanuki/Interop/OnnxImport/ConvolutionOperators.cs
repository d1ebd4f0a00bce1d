using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>Conv → <see cref="Conv2D"/>; BatchNormalization → <see cref="Layers.BatchNormalization"/>.</summary>
internal static class ConvolutionOperators
{
    public static string? CheckConv(OnnxNode node, OnnxImporter im)
    {
        if (node.Input(1) is not string w || !im.IsConstant(w)) return "its weights (input W) are computed by the graph; Tanuki imports convolutions whose weights are initializers";
        if (node.Input(2) is string b && !im.IsConstant(b)) return "its bias (input B) is computed by the graph; it must be an initializer";
        Tensor weight = im.Constant(w);
        if (weight.dim() != 4) return $"only 2-D convolutions (inputs N×C×H×W, weights of rank 4) are imported; W has shape {Shapes.Format(weight.shape)}";
        if (node.Ints("kernel_shape") is long[] k && !k.SequenceEqual(weight.shape[2..])) return $"kernel_shape [{string.Join(", ", k)}] disagrees with W {Shapes.Format(weight.shape)}";
        if (node.Int("group", 1) < 1) return "group must be positive";
        OnnxWindow.Read(node, weight.shape[2..], [], out OnnxWindowProblem? problem);
        return problem is { NeedsFixedInputSize: false } ? problem.Message : null;
    }

    public static OnnxLayout[] Conv(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor x = im.Value(node.Inputs[0]);
        Tensor weight = im.Constant(node.Inputs[1]);
        Tensor? bias = im.OptionalConstant(node, 2);
        if (x.Rank != 4) throw new NotSupportedException($"{node.Describe()}: only 2-D convolutions are imported, but its input has shape {Shapes.Format(x.Shape)}.");
        int groups = (int)node.Int("group", 1);
        long inChannels = x.Shape[1];
        if (inChannels > 0 && inChannels != weight.shape[1] * groups)
            throw new ArgumentException($"its input has {inChannels} channels, but W {Shapes.Format(weight.shape)} with group={groups} needs {weight.shape[1] * groups}.");
        OnnxWindow window = OnnxWindow.Read(node, weight.shape[2..], x.Shape, out OnnxWindowProblem? problem) ?? throw new NotSupportedException($"{node.Describe()}: {problem!.Message}.");
        var layer = new Conv2D((int)weight.shape[0], window.Kernel, strides: window.Strides, padding: window.Padding, dilationRate: window.Dilations,
                               groups: groups, useBias: bias is not null, explicitPadding: window.ExplicitPads, name: im.LayerName(node));
        SymbolicTensor y = OnnxImporter.Call(layer, x);
        OnnxImporter.SetWeight(layer, "kernel", OnnxWeightLayout.ConvKernel(weight), node);
        if (bias is not null) OnnxImporter.SetWeight(layer, "bias", bias, node);
        return [y];
    }

    public static string? CheckBatchNormalization(OnnxNode node, OnnxImporter im)
    {
        for (int i = 1; i <= 4; i++)
            if (node.Input(i) is not string s || !im.IsConstant(s))
                return $"its {new[] { "", "scale", "B", "mean", "var" }[i]} input is computed by the graph; it must be an initializer";
        if (im.Opset < 9 && node.Int("spatial", 1) == 0) return "spatial=0 (statistics per activation, not per channel) is not imported";
        if (node.Int("training_mode", 0) != 0) return "training_mode=1 (outputs running statistics) is not imported; export the model in inference mode";
        for (int i = 1; i < node.Outputs.Length; i++)
            if (im.IsOutputUsed(node, i)) return "its running-statistics outputs are used by the graph (training mode); export the model in inference mode";
        return null;
    }

    public static OnnxLayout[] BatchNormalization(OnnxNode node, OnnxImporter im)
    {
        SymbolicTensor x = im.Value(node.Inputs[0]);
        double momentum = OnnxWeightLayout.KerasMomentumFromOnnx(node.Float("momentum", 0.9f));
        double epsilon = node.Float("epsilon", 1e-5f);
        var layer = new Layers.BatchNormalization(axis: 1, momentum: momentum, epsilon: epsilon, name: im.LayerName(node));
        SymbolicTensor y = OnnxImporter.Call(layer, x);
        OnnxImporter.SetWeight(layer, "gamma", im.Constant(node.Inputs[1]), node);
        OnnxImporter.SetWeight(layer, "beta", im.Constant(node.Inputs[2]), node);
        OnnxImporter.SetWeight(layer, "moving_mean", im.Constant(node.Inputs[3]), node);
        OnnxImporter.SetWeight(layer, "moving_variance", im.Constant(node.Inputs[4]), node);
        return [y];
    }
}
