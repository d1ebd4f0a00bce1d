using System.Globalization;
using System.Text;

namespace Tanuki.Callbacks;

/// <summary>
/// Python's <c>str.format</c> for the numbers callbacks write, so that file names and CSV cells come out as Keras
/// writes them: <c>"{epoch:02d}-{val_loss:.2f}.tanuki"</c> → <c>"03-0.41.tanuki"</c>, and floats as <c>repr</c>
/// (<c>0.1</c>, <c>1e-05</c>, <c>nan</c>). Supports <c>{name}</c> and <c>{name:spec}</c> with
/// <c>[[fill]align][sign][0][width][.precision][type]</c>, types d, f, F, e, E, g, G, % and none; <c>{{</c> and <c>}}</c>.
/// </summary>
internal static class PythonFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Fills the placeholders of <paramref name="template"/> from <paramref name="values"/> (ints as long, floats as double).</summary>
    /// <exception cref="FormatException">A placeholder names a missing key, or its spec does not apply to the value.</exception>
    public static string Format(string template, IReadOnlyDictionary<string, object> values)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}') { sb.Append('}'); i++; continue; }
                throw new FormatException($"Single '}}' at position {i}; write '}}}}' for a literal brace.");
            }
            if (c != '{') { sb.Append(c); continue; }
            if (i + 1 < template.Length && template[i + 1] == '{') { sb.Append('{'); i++; continue; }
            int end = template.IndexOf('}', i + 1);
            if (end < 0) throw new FormatException($"Unclosed '{{' at position {i}.");
            string field = template[(i + 1)..end];
            int colon = field.IndexOf(':');
            string name = colon < 0 ? field : field[..colon];
            string spec = colon < 0 ? "" : field[(colon + 1)..];
            if (!values.TryGetValue(name, out object? value))
                throw new FormatException($"No value for {{{name}}}. Available: {string.Join(", ", values.Keys)}.");
            sb.Append(FormatValue(name, value, spec));
            i = end;
        }
        return sb.ToString();
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest digits that round-trip, fixed between 1e-4 and 1e16.</summary>
    public static string Repr(double value)
    {
        if (double.IsNaN(value)) return "nan";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        string sign = value < 0 || (value == 0 && double.IsNegative(value)) ? "-" : "";
        if (value == 0) return sign + "0.0";
        (string digits, int k) = ShortestDigits(Math.Abs(value));   // value = 0.digits × 10^k
        int exponent = k - 1;
        if (exponent >= -4 && exponent < 16)
        {
            if (k <= 0) return sign + "0." + new string('0', -k) + digits;
            if (k >= digits.Length) return sign + digits + new string('0', k - digits.Length) + ".0";
            return sign + digits[..k] + "." + digits[k..];
        }
        string mantissa = digits.Length == 1 ? digits : digits[0] + "." + digits[1..];
        return sign + mantissa + Exponent(exponent);
    }

    private static (string Digits, int K) ShortestDigits(double positive)
    {
        string r = positive.ToString("R", Inv);
        int e = r.IndexOfAny(['E', 'e']);
        int exp = e < 0 ? 0 : int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, Inv);
        string mantissa = e < 0 ? r : r[..e];
        int point = mantissa.IndexOf('.');
        if (point < 0) point = mantissa.Length;
        string digits = mantissa.Replace(".", "");
        int leading = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        return (digits, point - leading + exp);
    }

    private static string Exponent(int exponent) =>
        "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", Inv);

    private static string FormatValue(string name, object value, string spec)
    {
        var s = Spec.Parse(spec, name);
        string body;
        bool negative;
        if (value is long or int)
        {
            long n = Convert.ToInt64(value, Inv);
            if (s.Type is null or 'd')
            {
                if (s.Precision is not null) throw new FormatException($"{{{name}:{spec}}}: precision is not allowed with an integer.");
                negative = n < 0;
                body = Math.Abs((decimal)n).ToString(Inv);
                return s.Pad(body, negative);
            }
            value = (double)n;
        }
        double d = Convert.ToDouble(value, Inv);
        if (s.Type == 'd')
            throw new FormatException($"{{{name}:{spec}}}: '{name}' is a float ({Repr(d)}), which Python's format code 'd' rejects. Use e.g. {{{name}:.2f}}.");
        negative = d < 0 || (d == 0 && double.IsNegative(d));
        double a = Math.Abs(d);
        body = s.Type switch
        {
            _ when double.IsNaN(d) => "nan",
            _ when double.IsInfinity(d) => "inf",
            'f' or 'F' => a.ToString("F" + (s.Precision ?? 6), Inv),
            'e' or 'E' => Scientific(a, s.Precision ?? 6),
            '%' => (a * 100).ToString("F" + (s.Precision ?? 6), Inv) + "%",
            'g' or 'G' => General(a, s.Precision ?? 6, noType: false),
            null when s.Precision is int p => General(a, p, noType: true),
            null => Repr(a),
            _ => throw new FormatException($"{{{name}:{spec}}}: unknown format code '{s.Type}'. Expected one of d, f, F, e, E, g, G, %."),
        };
        if (s.Type is 'F' or 'E' or 'G') body = body.ToUpperInvariant();
        return s.Pad(body, negative);
    }

    private static string Scientific(double a, int precision)
    {
        string r = a.ToString("E" + precision, Inv);   // "1.250E-001"
        int e = r.IndexOf('E');
        return r[..e] + Exponent(int.Parse(r[(e + 1)..], NumberStyles.AllowLeadingSign, Inv));
    }

    /// <summary>Python's 'g' (and the no-type form with a precision, which keeps a digit after the point).</summary>
    private static string General(double a, int precision, bool noType)
    {
        int p = Math.Max(precision, 1);
        if (a == 0) return noType ? "0.0" : "0";
        string sci = Scientific(a, p - 1);
        int exp = int.Parse(sci[(sci.IndexOf('e') + 1)..], NumberStyles.AllowLeadingSign, Inv);
        bool fixedNotation = exp >= -4 && exp < (noType ? p - 1 : p);
        string result;
        if (fixedNotation)
        {
            result = a.ToString("F" + Math.Max(p - 1 - exp, 0), Inv);
            if (result.Contains('.')) result = result.TrimEnd('0').TrimEnd('.');
            if (noType && !result.Contains('.')) result += ".0";
        }
        else
        {
            int e = sci.IndexOf('e');
            string mantissa = sci[..e];
            if (mantissa.Contains('.')) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
            result = mantissa + sci[e..];
        }
        return result;
    }

    private sealed record Spec(char Fill, char? Align, char Sign, int Width, int? Precision, char? Type)
    {
        public static Spec Parse(string spec, string name)
        {
            int i = 0;
            char fill = ' ';
            char? align = null;
            if (spec.Length >= 2 && "<>^=".Contains(spec[1])) { fill = spec[0]; align = spec[1]; i = 2; }
            else if (spec.Length >= 1 && "<>^=".Contains(spec[0])) { align = spec[0]; i = 1; }
            char sign = '-';
            if (i < spec.Length && "+- ".Contains(spec[i])) sign = spec[i++];
            if (i < spec.Length && spec[i] == '0' && align is null) { fill = '0'; align = '='; i++; }
            int start = i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i])) i++;
            int width = i > start ? int.Parse(spec[start..i], Inv) : 0;
            int? precision = null;
            if (i < spec.Length && spec[i] == '.')
            {
                int ps = ++i;
                while (i < spec.Length && char.IsAsciiDigit(spec[i])) i++;
                if (i == ps) throw new FormatException($"{{{name}:{spec}}}: '.' must be followed by a precision.");
                precision = int.Parse(spec[ps..i], Inv);
            }
            char? type = i < spec.Length ? spec[i++] : null;
            if (i != spec.Length) throw new FormatException($"{{{name}:{spec}}}: invalid format specifier.");
            return new Spec(fill, align, sign, width, precision, type);
        }

        public string Pad(string body, bool negative)
        {
            string signText = negative ? "-" : Sign == '+' ? "+" : Sign == ' ' ? " " : "";
            int padding = Width - body.Length - signText.Length;
            if (padding <= 0) return signText + body;
            string pad = new(Fill, padding);
            return (Align ?? '>') switch
            {
                '<' => signText + body + pad,
                '^' => new string(Fill, padding / 2) + signText + body + new string(Fill, padding - padding / 2),
                '=' => signText + pad + body,
                _ => pad + signText + body,
            };
        }
    }
}
