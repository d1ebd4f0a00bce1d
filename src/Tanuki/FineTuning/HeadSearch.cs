using static TorchSharp.torch;

namespace Tanuki.FineTuning;

/// <summary>One row of the head's cross-validation: a penalty, with or without the mirror-image average, and its scores.</summary>
/// <param name="L2">The L2 penalty.</param>
/// <param name="FlipAverage">Whether predictions average the image's and its mirror image's logits.</param>
/// <param name="Accuracy">Out-of-fold accuracy, each sample weighted by its class weight (balanced accuracy when classes are balanced by weight).</param>
/// <param name="LogLoss">Out-of-fold cross-entropy, weighted the same way.</param>
public sealed record HeadCandidate(double L2, bool FlipAverage, double Accuracy, double LogLoss);

/// <summary>
/// Picks the linear head's L2 penalty, and whether to average over the mirror image at prediction time, by
/// stratified k-fold cross-validation on cached features: each fold's head trains on the other folds' samples (all
/// their augmented views) and is scored on the fold's own images. Fitting one head per penalty and fold costs only
/// the solver's time, since the frozen base ran once per view. The lowest out-of-fold cross-entropy wins; it is
/// smooth where accuracy on a few dozen images moves in steps of one image.
/// </summary>
internal static class HeadSearch
{
    /// <summary>The penalties tried, strongest first (warm starts go from simple to complex).</summary>
    public static readonly double[] Penalties = [3, 1, 0.3, 0.1, 0.03, 0.01, 3e-3, 1e-3, 3e-4, 1e-4];

    /// <summary>Runs the search.</summary>
    /// <param name="features">Samples × views × features (view 0 the image, view 1 its mirror when there are two or more).</param>
    /// <param name="labels">Class of each sample.</param>
    /// <param name="weights">Weight of each sample (class weights).</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="folds">Number of folds.</param>
    /// <param name="seed">Seed of the folds.</param>
    /// <param name="cancellationToken">Stops the search between fits.</param>
    /// <returns>Every candidate's scores, the chosen one first, and the chosen candidate's out-of-fold predicted class of each sample.</returns>
    public static (IReadOnlyList<HeadCandidate> Candidates, int[] OutOfFold) Run(Tensor features, int[] labels, double[] weights, int classes, int folds, int seed, CancellationToken cancellationToken = default)
    {
        int n = labels.Length;
        int views = (int)features.shape[1];
        bool flip = views >= 2;
        int[] fold = StratifiedFolds.Assign(labels, folds, seed);
        // Out-of-fold logits per penalty: plain (view 0) and flip-averaged (views 0 and 1).
        var plain = new Tensor[Penalties.Length];
        var averaged = new Tensor[Penalties.Length];
        using var scope = NewDisposeScope();
        for (int p = 0; p < Penalties.Length; p++)
        {
            plain[p] = zeros(n, classes);
            averaged[p] = zeros(n, classes);
        }
        for (int f = 0; f < folds; f++)
        {
            int[] train = Enumerable.Range(0, n).Where(i => fold[i] != f).ToArray();
            int[] test = Enumerable.Range(0, n).Where(i => fold[i] == f).ToArray();
            if (test.Length == 0) continue;
            var (x, y, w) = Rows(features, labels, weights, train);
            Tensor testIdx = tensor(test.Select(i => (long)i).ToArray());
            Tensor x0 = features[TensorIndex.Colon, 0].index_select(0, testIdx);
            Tensor? x1 = flip ? features[TensorIndex.Colon, 1].index_select(0, testIdx) : null;
            LogisticRegression? previous = null;
            for (int p = 0; p < Penalties.Length; p++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var model = new LogisticRegression(Penalties[p], maxIterations: 300, tolerance: 1e-4).Fit(x, y, classes, w, previous);   // enough to rank penalties
                Tensor z0 = model.DecisionFunction(x0);
                plain[p].index_copy_(0, testIdx, z0);
                averaged[p].index_copy_(0, testIdx, x1 is null ? z0 : (z0 + model.DecisionFunction(x1)) / 2);
                previous = model;
            }
        }
        Tensor truth = tensor(labels.Select(l => (long)l).ToArray());
        Tensor sampleWeights = tensor(weights);
        double total = weights.Sum();
        var rows = new List<HeadCandidate>();
        var logitsOf = new Dictionary<HeadCandidate, Tensor>();
        for (int p = 0; p < Penalties.Length; p++)
            foreach (bool avg in flip ? new[] { false, true } : [false])
            {
                Tensor logits = avg ? averaged[p] : plain[p];
                double acc = (logits.argmax(1).eq(truth).to_type(ScalarType.Float64) * sampleWeights).sum().item<double>() / total;
                Tensor nll = -nn.functional.log_softmax(logits.to_type(ScalarType.Float64), 1).gather(1, truth.unsqueeze(1)).squeeze(1);
                double loss = (nll * sampleWeights).sum().item<double>() / total;
                var row = new HeadCandidate(Penalties[p], avg, acc, loss);
                rows.Add(row);
                logitsOf[row] = logits;
            }
        HeadCandidate best = rows.OrderBy(r => r.LogLoss).ThenByDescending(r => r.Accuracy).First();
        int[] outOfFold = logitsOf[best].argmax(1).data<long>().ToArray().Select(v => (int)v).ToArray();
        return ([best, .. rows.Where(r => !ReferenceEquals(r, best))], outOfFold);
    }

    /// <summary>
    /// The training rows of the given samples: every view of each, weighted by the sample's weight over the number
    /// of views (so that views add augmentation, not weight).
    /// </summary>
    public static (Tensor X, Tensor Y, Tensor W) Rows(Tensor features, int[] labels, double[] weights, int[] samples)
    {
        long views = features.shape[1];
        using var scope = NewDisposeScope();
        Tensor idx = tensor(samples.Select(i => (long)i).ToArray());
        Tensor x = features.index_select(0, idx).reshape(-1, features.shape[2]);
        Tensor y = tensor(samples.Select(i => (long)labels[i]).ToArray()).repeat_interleave(views);
        Tensor w = (tensor(samples.Select(i => weights[i]).ToArray()) / views).repeat_interleave(views);
        return (x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), w.MoveToOuterDisposeScope());
    }

    /// <summary>Keras's "balanced" class weights: n / (classes present × count of the class), one per sample.</summary>
    public static double[] BalancedWeights(int[] labels)
    {
        var counts = labels.GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        return labels.Select(l => labels.Length / (double)(counts.Count * counts[l])).ToArray();
    }
}
