namespace Tanuki.FewShot;

/// <summary>One row of one run (a data set, regime and seed): what the JSON file keeps of it.</summary>
internal sealed record RunRecord
{
    public required string Data { get; init; }
    public required string Regime { get; init; }
    public required string Kind { get; init; }
    public required int PerClass { get; init; }
    public required int Seed { get; init; }
    public required string Row { get; init; }
    /// <summary>Test accuracy; NaN when the row failed (<see cref="Error"/>).</summary>
    public required double Accuracy { get; init; }
    /// <summary>The mean of the per-class accuracies on the test images (the photo set's test images are imbalanced).</summary>
    public required double BalancedAccuracy { get; init; }
    /// <summary>Wall clock of the row: building the model, training, predicting the test images.</summary>
    public required double Seconds { get; init; }
    public required double LoadAverageStart { get; init; }
    public required double LoadAverageEnd { get; init; }
    public required string[] Classes { get; init; }
    public required int[] TrainCounts { get; init; }
    public required int TestImages { get; init; }
    /// <summary>For the tanuki rows: <c>FineTuneResult.Choices</c>, as strings.</summary>
    public IReadOnlyList<string>? Choices { get; init; }
    public bool? FineTuningKept { get; init; }
    public string? Note { get; init; }
    public string? Error { get; init; }
}

/// <summary>A regime the data cannot hold, and why.</summary>
internal sealed record ImpossibleRegime(string Data, string Regime, string Reason);
