using ScottPlot;
using SkiaSharp;

namespace Tanuki.Cli.Report;

/// <summary>
/// The font every chart of the report draws its text with: DejaVu Sans, embedded in this assembly (see
/// <c>data/fonts/README.md</c>). ScottPlot otherwise asks the system for a font, and a container without fonts gets
/// one that draws nothing: every title, label and count vanished. This resolver answers only its own name, from the
/// embedded bytes, so the charts look the same on every machine.
/// </summary>
internal sealed class ChartFont : IFontResolver
{
    /// <summary>The name plots ask for; a name no system font has, so that no system font is ever used instead.</summary>
    public const string Name = "Tanuki DejaVu Sans";

    private static readonly Lazy<byte[]> Bytes = new(Load);
    private static readonly object Gate = new();
    private static bool _registered;

    /// <summary>Sets the chart font on <paramref name="plot"/> (titles, axis and tick labels, legend) and as the default of what is added later.</summary>
    public static void Apply(Plot plot)
    {
        lock (Gate)
        {
            if (!_registered)
            {
                Fonts.FontResolvers.Insert(0, new ChartFont());
                _registered = true;
            }
        }
        plot.Font.Set(Name);
        plot.Legend.FontName = Name;
    }

    /// <inheritdoc/>
    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) => Create(fontName);

    /// <inheritdoc/>
    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) => Create(fontName);

    // One face for every weight and slant: the report needs text that is there, not a bold title.
    private static SKTypeface? Create(string fontName) =>
        fontName == Name ? SKTypeface.FromData(SKData.CreateCopy(Bytes.Value)) : null;

    private static byte[] Load()
    {
        using Stream? s = typeof(ChartFont).Assembly.GetManifestResourceStream("Tanuki.Cli.Report.DejaVuSans.ttf");
        if (s is null)
            throw new InvalidOperationException("The report's font (resource Tanuki.Cli.Report.DejaVuSans.ttf) is missing from Tanuki.Cli.dll; the build that made it is broken. Rebuild or reinstall tanuki.");
        var bytes = new byte[s.Length];
        s.ReadExactly(bytes);
        return bytes;
    }
}
