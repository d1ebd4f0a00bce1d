using System.Globalization;

namespace Tanuki.Interop.OnnxImport;

/// <summary>
/// A size as the importer knows it: a number, a multiple of the batch size N (which stays free), or unknown (a size
/// the input leaves free, or arithmetic on N that no fixed number describes). Shape arithmetic in a graph is computed
/// on these at import, so that it makes no layers and the batch axis stays free.
/// </summary>
internal readonly record struct OnnxDim(long Value, int Power)
{
    /// <summary>The batch size N.</summary>
    public static readonly OnnxDim Batch = new(1, 1);

    /// <summary>A size not known at import.</summary>
    public static readonly OnnxDim Unknown = new(0, -1);

    /// <summary>A fixed size.</summary>
    public static OnnxDim Known(long value) => new(value, 0);

    /// <summary>A size of a Tanuki tensor's shape: axis 0 is the batch, -1 unknown.</summary>
    public static OnnxDim FromShape(long size, bool batch) => batch ? Batch : size >= 0 ? Known(size) : Unknown;

    public bool IsKnown => Power == 0;
    public bool IsBatchMultiple => Power == 1;
    public bool IsUnknown => Power < 0;

    public static OnnxDim operator *(OnnxDim a, OnnxDim b) =>
        a.IsUnknown || b.IsUnknown || a.Power + b.Power > 1 ? Unknown : new(a.Value * b.Value, a.Power + b.Power);

    /// <summary>a / b when it is exact (or both are fixed: integer division); otherwise unknown.</summary>
    public static OnnxDim Divide(OnnxDim a, OnnxDim b)
    {
        if (a.IsUnknown || b.IsUnknown || b.Value == 0 || b.Power > a.Power) return Unknown;
        if (a.Power == b.Power) return a.IsKnown || a.Value % b.Value == 0 ? Known(a.Value / b.Value) : Unknown;
        return a.Value % b.Value == 0 ? new(a.Value / b.Value, a.Power - b.Power) : Unknown;
    }

    public override string ToString() => Power switch
    {
        0 => Value.ToString(CultureInfo.InvariantCulture),
        1 => Value == 1 ? "N" : $"{Value}·N",
        _ => "?",
    };
}
