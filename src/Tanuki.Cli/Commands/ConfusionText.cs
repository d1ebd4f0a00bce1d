using System.Globalization;
using System.Text;

namespace Tanuki.Cli.Commands;

/// <summary>Per-class accuracy and the confusion matrix as plain text for the terminal.</summary>
internal static class ConfusionText
{
    public static string Format(int[,] confusion, IReadOnlyList<string> classes)
    {
        int k = classes.Count;
        int nameWidth = Math.Max(5, classes.Max(c => c.Length));
        int cell = Math.Max(5, confusion.Cast<int>().Max().ToString().Length + 1);
        var sb = new StringBuilder();
        sb.AppendLine("per class:");
        for (int r = 0; r < k; r++)
        {
            int total = Enumerable.Range(0, k).Sum(c => confusion[r, c]);
            string acc = total == 0 ? "  -   " : (confusion[r, r] / (double)total).ToString("0.0000", CultureInfo.InvariantCulture);
            sb.AppendLine($"  {classes[r].PadRight(nameWidth)}  {acc}  ({confusion[r, r]}/{total})");
        }
        if (k >= Report.ReportWriter.ManyClasses)
        {
            // A matrix hundreds of columns wide helps nobody in a terminal: the pairs most often confused instead.
            sb.AppendLine("most confused (true class -> predicted as: images):");
            foreach (var (t, p, n) in Report.ReportWriter.MostConfused(confusion, 20)) sb.AppendLine($"  {classes[t]} -> {classes[p]}: {n}");
            return sb.ToString().TrimEnd();
        }
        sb.AppendLine("confusion matrix (rows: true class, columns: predicted, in class order):");
        for (int r = 0; r < k; r++)
        {
            sb.Append("  ").Append(classes[r].PadRight(nameWidth));
            for (int c = 0; c < k; c++) sb.Append(confusion[r, c].ToString().PadLeft(cell));
            sb.AppendLine();
        }
        return sb.ToString().TrimEnd();
    }
}
