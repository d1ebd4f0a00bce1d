using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Tanuki.Layers;

/// <summary>
/// Pads every sample on any of its axes with a constant, by reflection, or by repeating the edge (the modes of
/// ONNX's <c>Pad</c>, which imports as this layer; <c>ZeroPadding2D</c> is the usual choice for images).
/// Negative amounts crop.
/// </summary>
public sealed class Pad : Layer
{
    private static readonly string[] s_modes = ["constant", "reflect", "edge"];

    /// <summary>Creates the layer.</summary>
    /// <param name="padding">Amounts before and after each axis of a sample (batch left out), in axis order:
    /// <c>[before1, after1, before2, after2, ...]</c>. For N×C×H×W, <c>[0, 0, 1, 1, 2, 2]</c> pads H by 1 and W by 2.</param>
    /// <param name="mode"><c>constant</c>, <c>reflect</c> (mirror without repeating the edge) or <c>edge</c> (repeat the edge).
    /// <c>reflect</c> and <c>edge</c> pad at most the last three axes.</param>
    /// <param name="constantValue">The fill value in <c>constant</c> mode.</param>
    /// <param name="name">Layer name.</param>
    public Pad(int[] padding, string mode = "constant", double constantValue = 0, string? name = null) : base(name)
    {
        ArgumentNullException.ThrowIfNull(padding);
        if (padding.Length == 0 || padding.Length % 2 != 0)
            throw new ArgumentException($"Expected padding to hold a (before, after) pair for each axis after the batch. Received: padding=[{string.Join(", ", padding)}]", nameof(padding));
        Mode = Guard.OneOf(mode, s_modes);
        if (Mode != "constant")
        {
            int axes = padding.Length / 2;
            int firstPadded = Enumerable.Range(0, axes).FirstOrDefault(a => padding[2 * a] != 0 || padding[2 * a + 1] != 0, axes);
            if (axes - firstPadded > 3)
                throw new ArgumentException($"Mode \"{Mode}\" pads at most the last 3 axes. Received: padding=[{string.Join(", ", padding)}]", nameof(padding));
            if (padding.Any(p => p < 0))
                throw new ArgumentException($"Mode \"{Mode}\" cannot crop (negative padding). Received: padding=[{string.Join(", ", padding)}]", nameof(padding));
        }
        Padding = (int[])padding.Clone();
        ConstantValue = constantValue;
        InputSpec = new InputSpec(rank: padding.Length / 2 + 1);
    }

    /// <summary>Before/after amounts for each axis after the batch.</summary>
    public int[] Padding { get; }

    /// <summary><c>constant</c>, <c>reflect</c> or <c>edge</c>.</summary>
    public string Mode { get; }

    /// <summary>The fill value in constant mode.</summary>
    public double ConstantValue { get; }

    /// <inheritdoc />
    protected override Tensor Forward(Tensor inputs, bool training)
    {
        int axes = Padding.Length / 2;
        // libtorch lists (before, after) from the last axis backwards, and its reflect/replicate modes want only the
        // padded trailing axes (and a batch and channel axis in front of them).
        int firstPadded = Enumerable.Range(0, axes).FirstOrDefault(a => Padding[2 * a] != 0 || Padding[2 * a + 1] != 0, axes);
        if (firstPadded == axes) return inputs.alias();
        var pads = new List<long>();
        for (int a = axes - 1; a >= (Mode == "constant" ? 0 : firstPadded); a--) { pads.Add(Padding[2 * a]); pads.Add(Padding[2 * a + 1]); }
        if (Mode == "constant") return F.pad(inputs, pads.ToArray(), PaddingModes.Constant, ConstantValue);
        PaddingModes mode = Mode == "reflect" ? PaddingModes.Reflect : PaddingModes.Replicate;
        int trailing = axes - firstPadded;
        // Fold leading axes so that the padded ones sit behind exactly (batch, channel).
        long[] shape = inputs.shape;
        long lead = shape.Take(shape.Length - trailing).Aggregate(1L, (p, d) => p * d);
        Tensor x = inputs.reshape([1, lead, .. shape[^trailing..]]);
        Tensor y = F.pad(x, pads.ToArray(), mode);
        return y.reshape([.. shape[..^trailing], .. y.shape[2..]]);
    }

    /// <inheritdoc />
    public override long[] ComputeOutputShape(long[] inputShape)
    {
        var result = (long[])inputShape.Clone();
        for (int a = 0; a < Padding.Length / 2; a++)
        {
            long d = inputShape[a + 1];
            result[a + 1] = d < 0 ? -1 : d + Padding[2 * a] + Padding[2 * a + 1];
            if (d >= 0 && result[a + 1] <= 0)
                throw new ArgumentException($"Layer '{Name}': padding [{string.Join(", ", Padding)}] crops axis {a + 1} of input shape {Shapes.Format(inputShape)} to nothing.");
        }
        return result;
    }

    /// <inheritdoc />
    public override Dictionary<string, object?> GetConfig()
    {
        var config = base.GetConfig();
        config["padding"] = Padding;
        config["mode"] = Mode;
        config["constant_value"] = ConstantValue;
        return config;
    }
}
