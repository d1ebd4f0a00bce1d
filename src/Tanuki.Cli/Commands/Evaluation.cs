using Tanuki.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Tanuki.Cli.Commands;

/// <summary>Confusion counts and accuracy of a classifier, as prediction computes them (with the model's test-time augmentation).</summary>
internal static class Evaluation
{
    /// <summary>What <see cref="Run"/> measured.</summary>
    internal sealed record Result(int[,] Confusion, double Accuracy, long Images, long NonFinite)
    {
        public void Deconstruct(out int[,] confusion, out double accuracy) => (confusion, accuracy) = (Confusion, Accuracy);
    }

    /// <summary>
    /// Confusion counts (rows true, columns predicted) and accuracy of a classifier on labelled batches. A prediction
    /// holding NaN or an infinity is wrong and in no cell (argmax of NaN logits would say class 0). With
    /// <paramref name="labelMap"/>, the data's label i is the model's class labelMap[i] (a folder with some of its classes).
    /// </summary>
    public static Result Run(Model model, Dataset data, int classes, IReadOnlyList<int>? labelMap = null)
    {
        var truth = new List<int>();
        var predicted = new List<int>();
        var inference = new Tanuki.Inference.InferencePass(model, first => Model.ExpectedSamples(data, first));   // the model's inference engine
        foreach (var (x, y) in data)
        {
            using var scope = NewDisposeScope();
            scope.Attach(x);
            scope.Attach(y);
            Tensor logits = inference.Run(x).cpu();   // with the model's test-time augmentation, as Infer
            long[] best = logits.argmax(-1).data<long>().ToArray();
            bool[] finite = torch.isfinite(logits).reshape(logits.shape[0], -1).all(1).data<bool>().ToArray();
            predicted.AddRange(best.Select((p, i) => finite[i] ? (int)p : -1));
            truth.AddRange(y.reshape(-1).to_type(ScalarType.Int64).cpu().data<long>().ToArray().Select(t => labelMap is null ? (int)t : labelMap[(int)t]));
        }
        var (confusion, accuracy) = Confusion(truth, predicted, classes);
        return new Result(confusion, accuracy, truth.Count, predicted.Count(p => p < 0));
    }

    /// <summary>Confusion counts and accuracy of paired true and predicted classes (a negative prediction: none, wrong).</summary>
    public static (int[,] Confusion, double Accuracy) Confusion(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, int classes)
    {
        var counts = new int[classes, classes];
        int right = 0;
        for (int i = 0; i < truth.Count; i++)
        {
            if (predicted[i] < 0) continue;
            counts[truth[i], predicted[i]]++;
            if (truth[i] == predicted[i]) right++;
        }
        return (counts, truth.Count == 0 ? 0 : right / (double)truth.Count);
    }
}
