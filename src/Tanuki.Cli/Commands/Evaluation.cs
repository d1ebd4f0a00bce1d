using Tanuki.Data;
using static TorchSharp.torch;

namespace Tanuki.Cli.Commands;

/// <summary>Confusion counts and accuracy of a classifier, as prediction computes them (with the model's test-time augmentation).</summary>
internal static class Evaluation
{
    /// <summary>Confusion counts (rows true, columns predicted) and accuracy of a classifier on labelled batches.</summary>
    public static (int[,] Confusion, double Accuracy) Run(Model model, Dataset data, int classes)
    {
        var truth = new List<int>();
        var predicted = new List<int>();
        foreach (var (x, y) in data)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            scope.Attach(x);
            scope.Attach(y);
            predicted.AddRange(model.Infer(x.to(Backend.Device)).argmax(-1).cpu().data<long>().ToArray().Select(p => (int)p));
            truth.AddRange(y.reshape(-1).to_type(ScalarType.Int64).cpu().data<long>().ToArray().Select(t => (int)t));
        }
        return Confusion(truth, predicted, classes);
    }

    /// <summary>Confusion counts and accuracy of paired true and predicted classes.</summary>
    public static (int[,] Confusion, double Accuracy) Confusion(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int classes)
    {
        var counts = new int[classes, classes];
        int right = 0;
        for (int i = 0; i < truth.Count; i++)
        {
            counts[truth[i], predicted[i]]++;
            if (truth[i] == predicted[i]) right++;
        }
        return (counts, truth.Count == 0 ? 0 : right / (double)truth.Count);
    }
}
