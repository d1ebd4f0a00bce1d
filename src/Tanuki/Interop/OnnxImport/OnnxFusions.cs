using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.Interop.OnnxImport;

/// <summary>A run of ONNX nodes that imports as one layer, made when its last node is reached.</summary>
internal sealed record OnnxFusion(string Kind, OnnxNode[] Members, Func<OnnxImporter, OnnxLayout> Convert)
{
    public OnnxNode Head => Members[^1];
}

/// <summary>
/// The Keras layers exporters take apart, found in the graph before it is checked, so that their pieces (Erf, Pow,
/// Sqrt, ReduceMean) need no layers of their own:
/// <list type="bullet">
/// <item>LayerNormalization: ReduceMean → Sub → Pow 2 → ReduceMean → Add ε → Sqrt → Div, then an optional Mul by
/// γ and Add of β (PyTorch's export before opset 17);</item>
/// <item>GELU: x · ½ · (1 + erf(x / √2)), the multiplications in any of the orders exporters use;</item>
/// <item>SiLU (swish): x · sigmoid(x); hard swish: x · hard_sigmoid(x) (before opset 14).</item>
/// </list>
/// Every piece but the last must be read only by the next pieces, so that nothing else needs what is left out.
/// </summary>
internal static class OnnxFusions
{
    public static Dictionary<OnnxNode, OnnxFusion> Find(OnnxImporter im)
    {
        var fusions = new Dictionary<OnnxNode, OnnxFusion>();
        var taken = new HashSet<OnnxNode>();
        foreach (OnnxNode node in im.NeededNodes)
        {
            if (taken.Contains(node) || node.Domain.Length > 0) continue;
            OnnxFusion? f = node.OpType switch
            {
                "ReduceMean" => LayerNorm(im, node),
                "Erf" => Gelu(im, node),
                "Sigmoid" => SelfGate(im, node, "silu", Activations.Silu),
                "HardSigmoid" when Math.Abs(node.Float("alpha", 0.2f) - 1.0 / 6) < 1e-6 && Math.Abs(node.Float("beta", 0.5f) - 0.5) < 1e-6
                    => SelfGate(im, node, "hard swish", Activations.HardSilu),
                _ => null,
            };
            if (f is null || f.Members.Any(taken.Contains)) continue;
            taken.UnionWith(f.Members);
            fusions[f.Head] = f;
        }
        return fusions;
    }

    /// <summary>The only reader of a node's output, if it is of the given type and nothing else reads the output.</summary>
    private static OnnxNode? Next(OnnxImporter im, OnnxNode node, params string[] opTypes) =>
        im.SoleConsumer(node.Outputs[0]) is OnnxNode n && opTypes.Contains(n.OpType) && n.Domain.Length == 0 ? n : null;

    /// <summary>The other input of a two-input node.</summary>
    private static string? Other(OnnxNode node, string input) =>
        node.Inputs.Length != 2 ? null : node.Inputs[0] == input ? node.Inputs[1] : node.Inputs[1] == input ? node.Inputs[0] : null;

    /// <summary>The value of a constant scalar (or one-element tensor), or null.</summary>
    private static double? Scalar(OnnxImporter im, string? name)
    {
        if (name is null || !im.IsConstant(name)) return null;
        try
        {
            Tensor t = im.Constant(name);
            return t.numel() == 1 ? t.to(ScalarType.Float64).reshape(-1)[0].item<double>() : null;
        }
        catch (Exception e) when (e is NotSupportedException or ShapeNotYetKnownException) { return null; }
    }

    private static bool Near(double? value, double expected) => value is double v && Math.Abs(v - expected) <= 1e-4 * Math.Abs(expected);

    private static OnnxFusion? LayerNorm(OnnxImporter im, OnnxNode mean)
    {
        if (mean.Int("keepdims", 1) == 0) return null;
        string x = mean.Inputs[0];
        long[]? axes = ReduceAxes(im, mean);
        if (axes is not { Length: > 0 } || im.IsConstant(x)) return null;
        if (Next(im, mean, "Sub") is not OnnxNode centered || centered.Inputs[0] != x || centered.Inputs[1] != mean.Outputs[0]) return null;
        string d = centered.Outputs[0];
        OnnxNode[] readers = [.. im.Consumers(d)];
        if (readers.Length != 2 || im.IsGraphOutput(d)) return null;
        OnnxNode? square = readers.FirstOrDefault(r => (r.OpType == "Pow" && r.Inputs[0] == d && Near(Scalar(im, r.Inputs[1]), 2)) || (r.OpType == "Mul" && r.Inputs.All(i => i == d)));
        OnnxNode? divide = readers.FirstOrDefault(r => r.OpType == "Div" && r.Inputs[0] == d);
        if (square is null || divide is null) return null;
        if (Next(im, square, "ReduceMean") is not OnnxNode variance || variance.Int("keepdims", 1) == 0 || !(ReduceAxes(im, variance) ?? []).SequenceEqual(axes)) return null;
        if (Next(im, variance, "Add") is not OnnxNode addEpsilon || Scalar(im, Other(addEpsilon, variance.Outputs[0])) is not double epsilon || epsilon <= 0) return null;
        if (Next(im, addEpsilon, "Sqrt") is not OnnxNode root || Next(im, root, "Div") != divide || divide.Inputs[1] != root.Outputs[0]) return null;
        var members = new List<OnnxNode> { mean, centered, square, variance, addEpsilon, root, divide };
        string? scale = null, bias = null;
        if (Next(im, divide, "Mul") is OnnxNode mul && Other(mul, divide.Outputs[0]) is string g && Weight(im, g))
        {
            members.Add(mul);
            scale = g;
            if (Next(im, mul, "Add") is OnnxNode add && Other(add, mul.Outputs[0]) is string bt && Weight(im, bt))
            {
                members.Add(add);
                bias = bt;
            }
        }
        OnnxNode[] all = [.. members];
        return new OnnxFusion("LayerNormalization", all, importer =>
        {
            int rank = importer.Layout(x).Rank;
            int[] normalized = axes.Select(a => (int)(a < 0 ? a + rank : a)).Order().ToArray();
            Tensor? Value(string? n) => n is null ? null : importer.Constant(n);
            return NormalizationOperators.Make(all, importer, x, normalized, epsilon, Value(scale), Value(bias));
        });
    }

    /// <summary>A ReduceMean's axes: an attribute before opset 18, a constant input from it; null when not known.</summary>
    private static long[]? ReduceAxes(OnnxImporter im, OnnxNode mean)
    {
        if (im.Opset < 18) return mean.Ints("axes");
        if (mean.Input(1) is not string a || !im.IsConstant(a)) return null;
        try { return im.Constant(a).to(ScalarType.Int64).data<long>().ToArray(); }
        catch (Exception e) when (e is NotSupportedException or ShapeNotYetKnownException) { return null; }
    }

    /// <summary>A γ or β: a float constant that is not a scalar's worth of broadcasting over the batch.</summary>
    private static bool Weight(OnnxImporter im, string name)
    {
        if (!im.IsConstant(name)) return false;
        try { return im.Constant(name).is_floating_point(); }
        catch (Exception e) when (e is NotSupportedException or ShapeNotYetKnownException) { return false; }
    }

    private static OnnxFusion? Gelu(OnnxImporter im, OnnxNode erf)
    {
        // erf(x / √2), or erf(x · 1/√2)
        if (im.Producer(erf.Inputs[0]) is not OnnxNode scaled || im.SoleConsumer(scaled.Outputs[0]) != erf) return null;
        string? x = scaled.OpType switch
        {
            "Div" when Near(Scalar(im, scaled.Inputs[1]), Math.Sqrt(2)) => scaled.Inputs[0],
            "Mul" when Near(Scalar(im, scaled.Inputs[1]), Math.Sqrt(0.5)) => scaled.Inputs[0],
            "Mul" when Near(Scalar(im, scaled.Inputs[0]), Math.Sqrt(0.5)) => scaled.Inputs[1],
            _ => null,
        };
        if (x is null || im.IsConstant(x)) return null;
        if (Next(im, erf, "Add") is not OnnxNode onePlus || !Near(Scalar(im, Other(onePlus, erf.Outputs[0])), 1)) return null;
        if (Next(im, onePlus, "Mul") is not OnnxNode m1 || Other(m1, onePlus.Outputs[0]) is not string other) return null;
        OnnxNode[] members;
        if (other == x && Next(im, m1, "Mul") is OnnxNode half && Near(Scalar(im, Other(half, m1.Outputs[0])), 0.5))
            members = [scaled, erf, onePlus, m1, half];                                         // (x · (1 + erf)) · ½
        else if (Near(Scalar(im, other), 0.5) && Next(im, m1, "Mul") is OnnxNode m2 && Other(m2, m1.Outputs[0]) == x)
            members = [scaled, erf, onePlus, m1, m2];                                           // x · ((1 + erf) · ½)
        else if (im.Producer(other) is OnnxNode h && h.OpType == "Mul" && im.SoleConsumer(h.Outputs[0]) == m1
                 && Other(h, x) is string c && Near(Scalar(im, c), 0.5))
            members = [h, scaled, erf, onePlus, m1];                                            // (x · ½) · (1 + erf)
        else return null;
        return new OnnxFusion("GELU", members, importer => Unary(importer, members, x, Activations.Gelu));
    }

    /// <summary>x · f(x) where f(x) is read by nothing else: SiLU when f is sigmoid, hard swish when hard sigmoid.</summary>
    private static OnnxFusion? SelfGate(OnnxImporter im, OnnxNode gate, string kind, ActivationFunction activation)
    {
        string x = gate.Inputs[0];
        if (im.IsConstant(x) || Next(im, gate, "Mul") is not OnnxNode mul || Other(mul, gate.Outputs[0]) != x) return null;
        return new OnnxFusion(kind, [gate, mul], importer => Unary(importer, [gate, mul], x, activation));
    }

    private static OnnxLayout Unary(OnnxImporter im, OnnxNode[] members, string input, ActivationFunction activation)
    {
        OnnxLayout x = im.Layout(input);
        return x.On(OnnxImporter.Call(new Activation(activation, name: im.LayerName(members)), x.Tensor));
    }
}
