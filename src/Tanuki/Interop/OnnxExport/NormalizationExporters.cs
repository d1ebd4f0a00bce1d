using Tanuki.Layers;
using static Tanuki.Interop.OnnxExport.OnnxAttributes;

namespace Tanuki.Interop.OnnxExport;

/// <summary>
/// LayerNormalization → LayerNormalization (opset 17), or below opset 17 (or without gamma) its decomposition
/// <c>(x − mean) / √(var + ε) · γ + β</c> from ReduceMean, Sub, Pow, Add, Sqrt, Div, Mul and Add: PyTorch's own export
/// before opset 17, which the importer folds back into one layer. Both normalize trailing axes; the layer's axes,
/// wherever they are (ConvNeXt normalizes the channels of N×C×H×W), are moved there and back by Transposes.
/// </summary>
internal static class NormalizationExporters
{
    public static string LayerNormalization(LayerExport e)
    {
        var ln = (Layers.LayerNormalization)e.Layer;
        int rank = e.Input.Rank;
        int[] axes = ln.Axis.Select(a => a < 0 ? a + rank : a).Order().ToArray();
        // The normalized axes last, in ascending order: gamma and beta are laid out so already.
        long[] toLast = [.. Enumerable.Range(0, rank).Where(a => !axes.Contains(a)).Select(a => (long)a), .. axes.Select(a => (long)a)];
        bool moves = !toLast.Select((a, i) => a == i).All(same => same);
        string x = moves ? e.Part("Transpose", "to_last", [e.Input.Name], Ints("perm", toLast)) : e.Input.Name;
        int first = rank - axes.Length;
        string y = e.Opset >= 17 && ln.Gamma is not null
            ? e.Node("LayerNormalization", "layer_norm", ln.Beta is null ? [x, e.Weight(ln.Gamma)] : [x, e.Weight(ln.Gamma), e.Weight(ln.Beta)],
                     Int("axis", first), Float("epsilon", ln.Epsilon))
            : Decomposed(e, ln, x, Enumerable.Range(first, axes.Length).Select(a => (long)a).ToArray());
        if (!moves) return y;
        long[] back = Enumerable.Range(0, rank).Select(a => (long)Array.IndexOf(toLast, (long)a)).ToArray();
        return e.Part("Transpose", "back", [y], Ints("perm", back));
    }

    /// <summary>
    /// PyTorch's pre-17 export, node for node (so that the importer recognizes it): the mean and the biased variance over
    /// <paramref name="axes"/>, kept as size-1 axes for broadcasting.
    /// </summary>
    private static string Decomposed(LayerExport e, Layers.LayerNormalization ln, string x, long[] axes)
    {
        string mean = e.Part("ReduceMean", "mean", [x], Ints("axes", axes), Int("keepdims", 1));
        string centered = e.Part("Sub", "centered", [x, mean]);
        string squared = e.Part("Pow", "squared", [centered, e.Scalar("two", 2)]);
        string variance = e.Part("ReduceMean", "variance", [squared], Ints("axes", axes), Int("keepdims", 1));
        string std = e.Part("Sqrt", "std", [e.Part("Add", "variance_epsilon", [variance, e.Scalar("epsilon", ln.Epsilon)])]);
        string y = e.Part("Div", "normalized", [centered, std]);
        if (ln.Gamma is { } gamma) y = e.Part("Mul", "gamma", [y, e.Weight(gamma)]);
        if (ln.Beta is { } beta) y = e.Part("Add", "beta", [y, e.Weight(beta)]);
        return y;
    }
}
