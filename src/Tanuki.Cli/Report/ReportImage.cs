using System.Net;

namespace Tanuki.Cli.Report;

/// <summary>One picture of the report: its name (<c>loss</c>, <c>confusion</c>, ...), its alt text and its PNG bytes.</summary>
internal sealed record ReportImage(string Name, string Alt, byte[] Png, int Width, int Height)
{
    /// <summary>The <c>&lt;img&gt;</c> element that carries the picture inside the page, as a <c>data:</c> URI.</summary>
    public string Tag() =>
        $"<img src=\"data:image/png;base64,{Convert.ToBase64String(Png)}\" width=\"{Width}\" height=\"{Height}\" alt=\"{WebUtility.HtmlEncode(Alt)}\">";
}
