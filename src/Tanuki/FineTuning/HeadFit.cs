using Tanuki.Layers;
using static TorchSharp.torch;

namespace Tanuki.FineTuning;

/// <summary>
/// The logistic head of a recipe run: the cached features of every training sample's views, the penalty the
/// cross-validation chose, and the head fitted on a subset of samples (the ones stage 2 trains on) or on all of them.
/// It writes its solution into the model's Dense layer: <c>kernel = coefficientsᵀ</c>, <c>bias = intercepts</c>.
/// </summary>
internal sealed class HeadFit(Tensor features, int[] labels, double[] weights, double l2, int classes, IReadOnlyList<HeadCandidate> search, int[] outOfFold) : IDisposable
{
    private LogisticRegression? _fit;

    /// <summary>The cross-validation that chose the penalty, chosen candidate first.</summary>
    public IReadOnlyList<HeadCandidate> Search { get; } = search;

    /// <summary>The chosen candidate's out-of-fold prediction for each training sample.</summary>
    public int[] OutOfFold { get; } = outOfFold;

    /// <summary>The frozen-base model's predicted class of each image that judges fine-tuning (set by the run).</summary>
    public int[]? JudgePredictions { get; set; }

    /// <summary>Fits the head on the samples at <paramref name="samples"/> (all their views) and writes it into <paramref name="head"/>.</summary>
    public void SetHead(Dense head, int[] samples)
    {
        var (x, y, w) = HeadSearch.Rows(features, labels, weights, samples);
        using (x)
        using (y)
        using (w)
        {
            _fit?.Dispose();
            _fit = new LogisticRegression(l2, maxIterations: 2000, tolerance: 1e-6).Fit(x, y, classes, w);
        }
        using var scope = NewDisposeScope();
        head.Kernel!.Assign(_fit.Coefficients!.t().contiguous().to(head.Kernel.Value.device));
        head.Bias?.Assign(_fit.Intercept!.to(head.Bias.Value.device));
    }

    /// <summary>Refits the head on every sample and writes it into <paramref name="head"/>.</summary>
    public void SetAllDataHead(Dense head) => SetHead(head, Enumerable.Range(0, labels.Length).ToArray());

    /// <summary>The current head's predicted class of each training sample at <paramref name="samples"/>.</summary>
    public int[] Predict(int[] samples, bool flip)
    {
        using var scope = NewDisposeScope();
        Tensor idx = tensor(samples.Select(i => (long)i).ToArray());
        return Predict(features.index_select(0, idx), flip);
    }

    /// <summary>The current head's predicted class of each sample of <paramref name="sampleFeatures"/> (samples × views × features).</summary>
    public int[] Predict(Tensor sampleFeatures, bool flip)
    {
        using var scope = NewDisposeScope();
        Tensor logits = _fit!.DecisionFunction(sampleFeatures[TensorIndex.Colon, 0]);
        if (flip) logits = (logits + _fit.DecisionFunction(sampleFeatures[TensorIndex.Colon, 1])) / 2;
        return logits.argmax(1).data<long>().ToArray().Select(p => (int)p).ToArray();
    }

    public void Dispose()
    {
        _fit?.Dispose();
        features.Dispose();
    }
}
