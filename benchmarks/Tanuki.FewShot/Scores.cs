namespace Tanuki.FewShot;

/// <summary>Test scores from predicted and true classes.</summary>
internal static class Scores
{
    /// <summary>The fraction of test images predicted right.</summary>
    public static double Accuracy(int[] predicted, int[] truth) => predicted.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;

    /// <summary>The mean over classes of the fraction of each class's test images predicted right.</summary>
    public static double BalancedAccuracy(int[] predicted, int[] truth) =>
        truth.Select((t, i) => (t, right: predicted[i] == t)).GroupBy(p => p.t).Average(g => g.Count(p => p.right) / (double)g.Count());
}
