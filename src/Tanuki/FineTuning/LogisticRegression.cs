using static TorchSharp.torch;

namespace Tanuki.FineTuning;

/// <summary>
/// Multinomial logistic regression with an L2 penalty, solved to convergence by L-BFGS: the "linear probe" on a
/// frozen base's features, and the head the fine-tuning recipe starts from. Features are standardized (zero mean,
/// unit variance per feature, as scikit-learn's <c>StandardScaler</c>) before fitting, the penalty applies to the
/// standardized coefficients and not to the intercepts, and the result is folded back so that
/// <see cref="Coefficients"/> and <see cref="Intercept"/> act on raw features: <c>logits = x · Coefficientsᵀ + Intercept</c>,
/// exactly what a <c>Dense(classes)</c> on those features computes.
/// The objective is <c>Σᵢ wᵢ·CE(softmax(zᵢ), yᵢ) / Σᵢ wᵢ + L2/2 · ‖W‖²</c>, scikit-learn's
/// <c>LogisticRegression(C = 1 / (L2 · Σᵢ wᵢ))</c> on standardized features.
/// </summary>
public sealed class LogisticRegression : IDisposable
{
    private const int Memory = 10;

    /// <summary>Creates an unfitted model.</summary>
    /// <param name="l2">Strength of the L2 penalty on the standardized coefficients (≥ 0).</param>
    /// <param name="maxIterations">L-BFGS iterations at most.</param>
    /// <param name="tolerance">Converged when the largest gradient component is below this.</param>
    public LogisticRegression(double l2 = 1e-3, int maxIterations = 1000, double tolerance = 1e-6)
    {
        L2 = Guard.NonNegative(l2);
        MaxIterations = Guard.Positive(maxIterations);
        Tolerance = tolerance > 0 ? tolerance : throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, $"Expected a positive tolerance. Received: tolerance={tolerance}");
    }

    /// <summary>Strength of the L2 penalty.</summary>
    public double L2 { get; }

    /// <summary>L-BFGS iterations at most.</summary>
    public int MaxIterations { get; }

    /// <summary>Gradient tolerance (largest component) at which the solver stops.</summary>
    public double Tolerance { get; }

    /// <summary>Classes × features, for raw (unstandardized) features; null before <see cref="Fit"/>.</summary>
    public Tensor? Coefficients { get; private set; }

    /// <summary>One per class; null before <see cref="Fit"/>.</summary>
    public Tensor? Intercept { get; private set; }

    /// <summary>Iterations the last fit took.</summary>
    public int Iterations { get; private set; }

    /// <summary>Whether the last fit reached <see cref="Tolerance"/>.</summary>
    public bool Converged { get; private set; }

    /// <summary>Fits the model.</summary>
    /// <param name="x">Features, samples × features (any float type).</param>
    /// <param name="y">Class labels, int64 in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">Number of classes (labels may miss some, e.g. in a cross-validation fold).</param>
    /// <param name="sampleWeight">Per-sample weights (≥ 0), or null for 1.</param>
    /// <param name="warmStart">Start from this model's solution (same shapes), as when sweeping the penalty.</param>
    /// <returns>This model.</returns>
    public LogisticRegression Fit(Tensor x, Tensor y, int classes, Tensor? sampleWeight = null, LogisticRegression? warmStart = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.dim() != 2) throw new ArgumentException($"Expected features of shape (samples, features). Received: x of shape {Shapes.Format(x.shape)}", nameof(x));
        if (y.dim() != 1 || y.shape[0] != x.shape[0])
            throw new ArgumentException($"Expected one label per sample, shape ({x.shape[0]}). Received: y of shape {Shapes.Format(y.shape)}", nameof(y));
        Guard.Positive(classes);
        using var scope = NewDisposeScope();
        Tensor xs = x.to_type(ScalarType.Float64).cpu();
        Tensor labels = y.to_type(ScalarType.Int64).cpu();
        if (labels.numel() > 0 && (labels.min().item<long>() < 0 || labels.max().item<long>() >= classes))
            throw new ArgumentException($"Expected labels in [0, {classes}). Received: labels from {labels.min().item<long>()} to {labels.max().item<long>()}", nameof(y));
        Tensor w = sampleWeight is null ? ones(xs.shape[0], dtype: ScalarType.Float64) : sampleWeight.to_type(ScalarType.Float64).cpu().reshape(-1);
        if (w.shape[0] != xs.shape[0]) throw new ArgumentException($"Expected one weight per sample ({xs.shape[0]}). Received: {w.shape[0]}", nameof(sampleWeight));
        if (!(w.min().item<double>() >= 0)) throw new ArgumentException("Sample weights must be non-negative and finite.", nameof(sampleWeight));
        double total = w.sum().item<double>();
        if (!(total > 0) || double.IsInfinity(total)) throw new ArgumentException("Sample weights sum to zero (or overflow): nothing to fit.", nameof(sampleWeight));
        if (!xs.isfinite().all().item<bool>()) throw new ArgumentException("Features contain NaN or infinite values.", nameof(x));

        Tensor mean = xs.mean([0]);
        Tensor std = xs.std(0L, unbiased: false);
        std = where(std > 1e-12, std, ones_like(std));
        Tensor z = (xs - mean) / std;
        Tensor onehot = nn.functional.one_hot(labels, classes).to_type(ScalarType.Float64);
        Tensor wn = (w / total).unsqueeze(1);
        long d = z.shape[1];

        // θ = [W (classes × d) | b (classes)], row by row.
        Tensor theta = warmStart?.Coefficients is Tensor c0 && c0.shape[0] == classes && c0.shape[1] == d
            ? cat([(c0.to_type(ScalarType.Float64) * std).reshape(-1), (warmStart.Intercept!.to_type(ScalarType.Float64) + (c0.to_type(ScalarType.Float64) * mean).sum(1))])
            : zeros(classes * d + classes, dtype: ScalarType.Float64);

        (double, Tensor) Objective(Tensor t)
        {
            Tensor wMat = t[TensorIndex.Slice(0, classes * d)].reshape(classes, d);
            Tensor b = t[TensorIndex.Slice(classes * d)];
            Tensor logits = z.matmul(wMat.t()) + b;
            Tensor logp = nn.functional.log_softmax(logits, 1);
            double f = -(wn * onehot * logp).sum().item<double>() + 0.5 * L2 * wMat.square().sum().item<double>();
            Tensor r = (logp.exp() - onehot) * wn;                     // ∂f/∂logits
            Tensor gW = r.t().matmul(z) + L2 * wMat;
            Tensor gb = r.sum(0L);
            return (f, cat([gW.reshape(-1), gb]));
        }

        (theta, Iterations, Converged) = Minimize(Objective, theta, MaxIterations, Tolerance);
        Tensor wz = theta[TensorIndex.Slice(0, classes * d)].reshape(classes, d);
        Tensor bz = theta[TensorIndex.Slice(classes * d)];
        Tensor coef = wz / std;                                         // back to raw features
        Tensor intercept = bz - (coef * mean).sum(1);
        Coefficients?.Dispose();
        Intercept?.Dispose();
        Coefficients = coef.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
        Intercept = intercept.to_type(ScalarType.Float32).MoveToOuterDisposeScope();
        return this;
    }

    /// <summary>Frees the fitted coefficients.</summary>
    public void Dispose()
    {
        Coefficients?.Dispose();
        Intercept?.Dispose();
        Coefficients = Intercept = null;
    }

    /// <summary>Logits (samples × classes) for raw features.</summary>
    public Tensor DecisionFunction(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (Coefficients is null) throw new InvalidOperationException("The model is not fitted: call Fit first.");
        using var scope = NewDisposeScope();
        return (x.to_type(ScalarType.Float32).cpu().matmul(Coefficients.t()) + Intercept!).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// L-BFGS (Nocedal and Wright, algorithm 7.4) with a backtracking line search on the Armijo condition. The
    /// objective is convex and smooth, so a step that decreases it enough is all the search needs. Each iteration's
    /// temporaries die with its dispose scope; the kept tensors (iterate, gradient, curvature pairs) are moved out.
    /// </summary>
    private static (Tensor Theta, int Iterations, bool Converged) Minimize(Func<Tensor, (double, Tensor)> objective, Tensor theta, int maxIterations, double tolerance)
    {
        var s = new List<Tensor>();
        var yv = new List<Tensor>();
        var rho = new List<double>();
        double f;
        Tensor g;
        using (var first = NewDisposeScope())
        {
            (f, g) = objective(theta);
            g.MoveToOuterDisposeScope();
        }
        int it = 0;
        bool converged = false;
        for (; it < maxIterations; it++)
        {
            double gmax = g.abs().max().item<double>();
            if (gmax < tolerance)
            {
                converged = true;
                break;
            }
            using var scope = NewDisposeScope();
            Tensor dir = TwoLoop(g, s, yv, rho);
            double slope = dir.dot(g).item<double>();
            if (!(slope < 0))
            {
                // Not a descent direction (lost curvature): restart from steepest descent.
                foreach (Tensor t in s.Concat(yv)) t.Dispose();
                s.Clear(); yv.Clear(); rho.Clear();
                dir = -g;
                slope = -g.dot(g).item<double>();
            }
            double step = s.Count == 0 ? Math.Min(1.0, 1.0 / Math.Max(gmax, 1e-12)) : 1.0;
            Tensor? next = null, gNext = null;
            double fNext = f;
            for (int k = 0; k < 40; k++)
            {
                Tensor candidate = theta + step * dir;
                var (fc, gc) = objective(candidate);
                if (double.IsFinite(fc) && fc <= f + 1e-4 * step * slope)
                {
                    (next, fNext, gNext) = (candidate, fc, gc);
                    break;
                }
                step *= 0.5;
            }
            if (next is null)
            {
                converged = gmax < 10 * tolerance;
                break;
            }
            Tensor sk = next - theta, yk = gNext! - g;
            double sy = sk.dot(yk).item<double>();
            if (sy > 1e-12)
            {
                if (s.Count == Memory)
                {
                    s[0].Dispose(); yv[0].Dispose();
                    s.RemoveAt(0); yv.RemoveAt(0); rho.RemoveAt(0);
                }
                s.Add(sk.MoveToOuterDisposeScope()); yv.Add(yk.MoveToOuterDisposeScope()); rho.Add(1 / sy);
            }
            bool flat = Math.Abs(f - fNext) <= 1e-16 * Math.Max(1, Math.Abs(f));
            theta.Dispose();
            g.Dispose();
            theta = next.MoveToOuterDisposeScope();
            g = gNext!.MoveToOuterDisposeScope();
            f = fNext;
            if (flat)
            {
                it++;
                converged = g.abs().max().item<double>() < 10 * tolerance;
                break;
            }
        }
        foreach (Tensor t in s.Concat(yv)) t.Dispose();
        g.Dispose();
        return (theta, it, converged);
    }

    private static Tensor TwoLoop(Tensor g, List<Tensor> s, List<Tensor> y, List<double> rho)
    {
        Tensor q = g.clone();
        var alpha = new double[s.Count];
        for (int i = s.Count - 1; i >= 0; i--)
        {
            alpha[i] = rho[i] * s[i].dot(q).item<double>();
            q -= alpha[i] * y[i];
        }
        if (s.Count > 0) q *= s[^1].dot(y[^1]).item<double>() / y[^1].dot(y[^1]).item<double>();
        for (int i = 0; i < s.Count; i++)
        {
            double beta = rho[i] * y[i].dot(q).item<double>();
            q += (alpha[i] - beta) * s[i];
        }
        return -q;
    }
}
