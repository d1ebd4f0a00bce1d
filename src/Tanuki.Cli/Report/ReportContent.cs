using System.Globalization;
using Tanuki.Cli.Commands;
using Tanuki.Cli.Workflow;
using Tanuki.FineTuning;

namespace Tanuki.Cli.Report;

/// <summary>Turns a training run into what the report shows.</summary>
internal static class ReportContent
{
    public static ReportData For(TrainOutcome outcome, IReadOnlyList<string> classNames, string command, IReadOnlyList<(string, string)> options,
                                 string modelPath, IReadOnlyList<(string, TimeSpan)> timings, (int[,] Confusion, string On)? evaluated = null)
    {
        var results = new List<(string, string)>();
        int[,] confusion;
        string on;
        if (outcome.Recipe is FineTuneResult r)
        {
            HeadCandidate? head = r.HeadSearch.Count > 0 ? r.HeadSearch[0] : null;
            if (head is not null)
                results.Add(("head, cross-validated accuracy" + (r.Choices.Any(c => c.Name == "class weights" && c.Value == "balanced") ? " (class-weighted)" : ""), F(head.Accuracy)));
            if (r.FrozenValidationAccuracy is double frozen) results.Add(($"frozen base, accuracy on the {r.ValidationSamples} images judging fine-tuning", F(frozen)));
            if (r.FineTunedValidationAccuracy is double tuned) results.Add(("fine-tuned, accuracy on the same images", F(tuned)));
            results.Add(("returned model", r.FineTuningKept ? "fine-tuned" : "frozen base with its head"));
            (confusion, _) = Evaluation.Confusion(r.ValidationLabels, r.ValidationPredictions, classNames.Count);
            on = r.ValidationSource ?? "no held-out images";
        }
        else
        {
            (confusion, on) = evaluated ?? (new int[classNames.Count, classNames.Count], "not evaluated");
        }
        if (evaluated is (int[,] c, string o)) (confusion, on) = (c, o);
        int total = 0, right = 0;
        for (int i = 0; i < classNames.Count; i++)
            for (int j = 0; j < classNames.Count; j++) { total += confusion[i, j]; if (i == j) right += confusion[i, j]; }
        if (total > 0) results.Add(($"accuracy ({on})", F(right / (double)total)));
        return new ReportData
        {
            Command = command, Options = options, ClassNames = classNames, Stage1 = outcome.Recipe?.Stage1 ?? outcome.Scratch ?? new History(),
            Stage2 = outcome.Recipe is { Stage2.Epochs.Count: > 0 } ? outcome.Recipe.Stage2 : null, Confusion = confusion, EvaluatedOn = on,
            Timings = timings, Results = results, ModelPath = modelPath, Choices = outcome.Recipe?.Choices ?? [], HeadSearch = outcome.Recipe?.HeadSearch ?? [],
        };
    }

    private static string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
}
