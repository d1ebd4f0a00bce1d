using Tanuki.Interop.OnnxImport.Protos;
using Tanuki.Layers;
using static Tanuki.Interop.OnnxExport.OnnxAttributes;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// Activation, ReLU, LeakyReLU, Clip, Softmax → Relu, LeakyRelu, Clip, Sigmoid, Tanh, HardSigmoid, HardSwish, Softmax,
/// ...; and the activations of Dense and Conv2D. Opsets 13–17 have no Gelu (opset 20), nor Swish: they are written
/// from Erf and Sigmoid, and HardSwish (opset 14) from HardSigmoid at opset 13, in the forms the importer folds back
/// into one activation.
/// </summary>
internal static class ActivationExporters
{
    public static string Activation(LayerExport e) => Apply(e, ((Activation)e.Layer).Function, e.Input.Name);

    /// <summary>Applies <paramref name="function"/> to <paramref name="x"/>; the identity adds no node.</summary>
    public static string Apply(LayerExport e, ActivationFunction function, string x) => function.Name switch
    {
        "linear" => x,
        "relu" => e.Node("Relu", "relu", [x]),
        "relu6" => e.Node("Clip", "relu6", [x, e.Scalar("min", 0), e.Scalar("max", 6)]),
        "sigmoid" => e.Node("Sigmoid", "sigmoid", [x]),
        "tanh" => e.Node("Tanh", "tanh", [x]),
        "softmax" => e.Node("Softmax", "softmax", [x], Int("axis", -1)),
        "log_softmax" => e.Node("LogSoftmax", "log_softmax", [x], Int("axis", -1)),
        "silu" => e.Part("Mul", "silu", [x, e.Part("Sigmoid", "sigmoid", [x])]),
        "gelu" => Gelu(e, x),
        "elu" => e.Node("Elu", "elu", [x], Float("alpha", 1.0)),
        "selu" => e.Node("Selu", "selu", [x]),      // ONNX's default alpha and gamma are PyTorch's and Keras's constants
        "softplus" => e.Node("Softplus", "softplus", [x]),
        "leaky_relu" => e.Node("LeakyRelu", "leaky_relu", [x], Float("alpha", 0.2)),
        "exponential" => e.Node("Exp", "exp", [x]),
        "hard_sigmoid" => HardSigmoid(e, x, e.Node),
        "hard_silu" => e.Opset >= 14
            ? e.Node("HardSwish", "hard_silu", [x])
            : e.Part("Mul", "hard_silu", [x, HardSigmoid(e, x, e.Part)]),
        _ => throw LayerExport.Unsupported($"activation \"{function.Name}\" has no ONNX export"),
    };

    private delegate string NodeMaker(string opType, string role, IEnumerable<string> inputs, params AttributeProto[] attributes);

    /// <summary>Keras 3's (and PyTorch's) hard sigmoid, <c>relu6(x + 3) / 6</c>: ONNX's HardSigmoid with alpha 1/6 and beta ½.</summary>
    private static string HardSigmoid(LayerExport e, string x, NodeMaker node) =>
        node("HardSigmoid", "hard_sigmoid", [x], Float("alpha", 1.0 / 6), Float("beta", 0.5));

    /// <summary>
    /// The exact GELU, as libtorch computes it: <c>x · 0.5 · (1 + erf(x / √2))</c>, written as PyTorch exports it (a Div by
    /// √2), the form ONNX Runtime's GeluFusion recognises and runs as one Gelu kernel; with a Mul by 1/√2 it ran the five
    /// nodes one by one (an imported ConvNeXt-Tiny ran at 0.87× its original file's speed).
    /// </summary>
    private static string Gelu(LayerExport e, string x)
    {
        string erf = e.Part("Erf", "erf", [e.Part("Div", "scaled", [x, e.Scalar("sqrt2", Math.Sqrt(2))])]);
        string onePlus = e.Part("Add", "one_plus", [erf, e.Scalar("one", 1)]);
        return e.Part("Mul", "gelu", [e.Part("Mul", "half", [x, e.Scalar("half", 0.5)]), onePlus]);
    }

    /// <summary>
    /// ReLU(maxValue, negativeSlope, threshold): Relu, Clip(0, max) (ReLU6 and its kin, which import back as ReLU),
    /// LeakyRelu, or Where(x ≥ threshold, x, slope · (x − threshold)) when the threshold is not 0.
    /// </summary>
    public static string ReLU(LayerExport e)
    {
        var r = (ReLU)e.Layer;
        string x = e.Input.Name;
        if (r.Threshold == 0 && r.NegativeSlope == 0)
            return r.MaxValue is double m ? e.Node("Clip", "clip", [x, e.Scalar("min", 0), e.Scalar("max", m)]) : e.Node("Relu", "relu", [x]);
        string y;
        if (r.Threshold == 0) y = e.Node("LeakyRelu", "leaky_relu", [x], Float("alpha", r.NegativeSlope));
        else
        {
            string threshold = e.Scalar("threshold", r.Threshold);
            string above = e.Node("GreaterOrEqual", "above", [x, threshold]);
            string below = e.Node("Mul", "below", [e.Node("Sub", "shifted", [x, threshold]), e.Scalar("slope", r.NegativeSlope)]);
            y = e.Node("Where", "where", [above, x, below]);
        }
        return r.MaxValue is double max ? e.Node("Clip", "max", [y, "", e.Scalar("max", max)]) : y;
    }

    public static string LeakyReLU(LayerExport e) =>
        e.Node("LeakyRelu", "leaky_relu", [e.Input.Name], Float("alpha", ((LeakyReLU)e.Layer).NegativeSlope));

    public static string Clip(LayerExport e)
    {
        var c = (Layers.Clip)e.Layer;
        if (c.MinValue is null && c.MaxValue is null) return e.Input.Name;
        string min = c.MinValue is double lo ? e.Scalar("min", lo) : "";
        string max = c.MaxValue is double hi ? e.Scalar("max", hi) : "";
        return e.Node("Clip", "clip", [e.Input.Name, min, max]);
    }

    public static string Softmax(LayerExport e) =>
        e.Node("Softmax", "softmax", [e.Input.Name], Int("axis", ((Layers.Softmax)e.Layer).Axis));
}
