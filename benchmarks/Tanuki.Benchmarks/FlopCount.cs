using System.Globalization;
using Tanuki.Layers;

namespace Tanuki.Benchmarks;

/// <summary>
/// Floating-point operations per image of a model's forward pass, counted from its actual Conv2D and Dense layers:
/// 2 × multiply-adds, where a convolution does (output channels × output height × output width) ×
/// (input channels / groups × kernel height × kernel width) of them. Normalisation, activations, pooling and
/// additions are left out (under 1% for ResNet-18), as is conventional. Output shapes come from the model's summary.
/// </summary>
internal static class FlopCount
{
    public static double Forward(Model model)
    {
        double macs = 0;
        foreach (SummaryRow row in model.GetSummary(expandNested: true).Rows)
        {
            if (row.TypeName is not ("Conv2D" or "Dense")) continue;
            Layer layer = Find(model, row.Name) ?? throw new InvalidOperationException($"layer '{row.Name}' not found in '{model.Name}'.");
            long[] output = ParseShape(row.OutputShape);
            double positions = output[1..^1].Aggregate(1.0, (a, d) => a * d);
            macs += layer switch
            {
                // kernel (out, in/groups, kh, kw)
                Conv2D conv => output.Skip(1).Aggregate(1.0, (a, d) => a * d) * conv.Kernel!.Value.shape.Skip(1).Aggregate(1.0, (a, d) => a * d),
                // kernel (in, out), applied at every position but the last axis
                Dense dense => positions * dense.Kernel!.Value.shape.Aggregate(1.0, (a, d) => a * d),
                _ => 0,
            };
        }
        return 2 * macs;
    }

    /// <summary>The layer named <paramref name="name"/> anywhere in the model, nested models included.</summary>
    private static Layer? Find(Layer owner, string name)
    {
        foreach (Layer l in owner.Layers)
        {
            if (l.Name == name) return l;
            if (Find(l, name) is Layer found) return found;
        }
        return null;
    }

    /// <summary>"(None, 64, 48, 48)" → [-1, 64, 48, 48].</summary>
    private static long[] ParseShape(string text) =>
        text.Trim('(', ')', ' ').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s == "None" ? -1L : long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
}
