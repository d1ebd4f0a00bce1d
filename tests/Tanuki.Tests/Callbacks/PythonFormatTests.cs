using System.Runtime.CompilerServices;
using System.Text.Json;
using Tanuki.Callbacks;

namespace Tanuki.Tests.Callbacks;

/// <summary>File names and CSV cells come out as Python writes them (reference: tools/callbacks/python_format_reference.py).</summary>
public class PythonFormatTests
{
    private static JsonElement Reference([CallerFilePath] string here = "") =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(here)!, "python_format_reference.json"))).RootElement;

    private static double Number(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? e.GetString() switch { "nan" => double.NaN, "inf" => double.PositiveInfinity, "-inf" => double.NegativeInfinity, var s => throw new FormatException(s) }
        : e.GetDouble();

    [Fact]
    public void FormatMatchesPythonStrFormat()
    {
        foreach (JsonElement c in Reference().GetProperty("formats").EnumerateArray())
        {
            var ints = c.GetProperty("ints").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
            var values = new Dictionary<string, object>();
            foreach (JsonProperty p in c.GetProperty("values").EnumerateObject())
                values[p.Name] = ints.Contains(p.Name) ? (object)p.Value.GetInt64() : Number(p.Value);
            string template = c.GetProperty("template").GetString()!;
            Assert.Equal(c.GetProperty("expected").GetString(), PythonFormat.Format(template, values));
        }
    }

    [Fact]
    public void ReprMatchesPythonRepr()
    {
        foreach (JsonElement c in Reference().GetProperty("reprs").EnumerateArray())
        {
            double value = Number(c.GetProperty("value"));
            Assert.Equal(c.GetProperty("expected").GetString(), PythonFormat.Repr(value));
        }
    }

    [Fact]
    public void BadPlaceholdersSayWhatIsWrong()
    {
        var values = new Dictionary<string, object> { ["epoch"] = 1L, ["loss"] = 0.5 };
        var missing = Assert.Throws<FormatException>(() => PythonFormat.Format("{val_loss:.2f}", values));
        Assert.Contains("val_loss", missing.Message);
        Assert.Contains("epoch, loss", missing.Message);
        var floatAsInt = Assert.Throws<FormatException>(() => PythonFormat.Format("{loss:02d}", values));
        Assert.Contains("'d'", floatAsInt.Message);
        Assert.Throws<FormatException>(() => PythonFormat.Format("{epoch", values));
        Assert.Throws<FormatException>(() => PythonFormat.Format("epoch}", values));
        Assert.Throws<FormatException>(() => PythonFormat.Format("{loss:.2q}", values));
        Assert.Equal("0.50", PythonFormat.Format("{loss:.2f}", values));
    }
}
