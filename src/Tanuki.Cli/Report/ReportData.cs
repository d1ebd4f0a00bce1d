using Tanuki.FineTuning;

namespace Tanuki.Cli.Report;

/// <summary>Everything the training report shows.</summary>
internal sealed class ReportData
{
    /// <summary>The command line as typed.</summary>
    public required string Command { get; init; }

    /// <summary>Every option with the value used (defaults included).</summary>
    public required IReadOnlyList<(string Name, string Value)> Options { get; init; }

    /// <summary>Class names by label.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>The frozen-base stage.</summary>
    public required History Stage1 { get; init; }

    /// <summary>The fine-tuning stage, if it ran.</summary>
    public History? Stage2 { get; init; }

    /// <summary>Counts: rows are true classes, columns predicted classes.</summary>
    public required int[,] Confusion { get; init; }

    /// <summary>What the confusion matrix was computed on ("validation set", "test set").</summary>
    public required string EvaluatedOn { get; init; }

    /// <summary>Named durations (data loading, stage 1, stage 2, evaluation).</summary>
    public required IReadOnlyList<(string Name, TimeSpan Duration)> Timings { get; init; }

    /// <summary>Headline numbers (accuracy after each stage, ...).</summary>
    public required IReadOnlyList<(string Name, string Value)> Results { get; init; }

    /// <summary>The choices the recipe made by itself, with their reasons.</summary>
    public IReadOnlyList<FineTuneChoice> Choices { get; init; } = [];

    /// <summary>The logistic head's cross-validation, chosen candidate first.</summary>
    public IReadOnlyList<HeadCandidate> HeadSearch { get; init; } = [];

    /// <summary>Where the model was written.</summary>
    public string? ModelPath { get; init; }
}
