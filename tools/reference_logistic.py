"""Reference values for Tanuki's LogisticRegression (tests/Tanuki.Tests/FineTuning/LogisticRegressionTests.cs).

scikit-learn's StandardScaler + LogisticRegression(lbfgs, multinomial) on small seeded data sets: with and without
sample weights, a class absent from the data, and a penalty Tanuki gives as L2 where scikit-learn takes
C = 1 / (L2 * sum of weights). scikit-learn's L-BFGS stops on a relative change of the objective (ftol) before its
gradient tolerance, up to ~5e-4 off in logits on the weighted case; so its solution is then polished with SciPy's
L-BFGS-B on the same objective, written out here in NumPy, to a gradient below 1e-10 (the script checks the two
agree to 1e-2). Run with Debian's python3-sklearn:
    /usr/bin/python3 tools/reference_logistic.py > tests/Tanuki.Tests/FineTuning/Reference/logistic.json
"""
import json

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler


def case(name, n, d, classes, l2, weighted, drop_class=None, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(0, 1.5, size=(classes, d))
    y = rng.integers(0, classes, size=n)
    if drop_class is not None:
        y[y == drop_class] = (drop_class + 1) % classes
    x = centers[y] + rng.normal(0, 1, size=(n, d)) * rng.uniform(0.5, 3, size=d) + rng.uniform(-2, 5, size=d)
    x = x.round(6)   # the values the test reads
    w = rng.uniform(0.2, 3, size=n).round(6) if weighted else np.ones(n)
    scaler = StandardScaler().fit(x)
    z = scaler.transform(x)
    c = 1.0 / (l2 * w.sum())
    lr = LogisticRegression(C=c, tol=1e-12, max_iter=100000)
    lr.fit(z, y, sample_weight=w)
    k = len(lr.classes_)
    onehot = (y[:, None] == lr.classes_[None, :]).astype(float)
    wn = (w / w.sum())[:, None]

    def objective(t):
        wz, b = t[:k * d].reshape(k, d), t[k * d:]
        logits = z @ wz.T + b
        logits = logits - logits.max(1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
        r = (np.exp(logp) - onehot) * wn
        return -(wn * onehot * logp).sum() + 0.5 * l2 * (wz ** 2).sum(), np.concatenate([(r.T @ z + l2 * wz).ravel(), r.sum(0)])

    start = np.concatenate([lr.coef_.ravel(), lr.intercept_])
    polished = minimize(objective, start, jac=True, method="L-BFGS-B", options={"gtol": 1e-12, "ftol": 0, "maxiter": 100000})
    assert np.abs(objective(polished.x)[1]).max() < 5e-9, (name, np.abs(objective(polished.x)[1]).max())
    wz, bz = polished.x[:k * d].reshape(k, d), polished.x[k * d:]
    assert np.abs((z @ wz.T + bz) - lr.decision_function(z).reshape(n, -1)).max() < 1e-2, name
    # Back to raw features: logits = x W^T + b with W = coef / scale, b = intercept - W . mean.
    coef = np.zeros((classes, d))
    intercept = np.zeros(classes)
    coef[lr.classes_] = wz / scaler.scale_
    intercept[lr.classes_] = bz - (wz / scaler.scale_) @ scaler.mean_
    logits = x.round(6) @ coef.T + intercept
    present = list(lr.classes_)
    return {
        "name": name, "classes": classes, "l2": l2, "x": x.round(6).tolist(), "y": y.tolist(), "w": w.round(6).tolist() if weighted else None,
        "present": [int(p) for p in present],
        "logits_present": logits[:, present].round(8).tolist(),
    }


cases = [
    case("three_blobs", 60, 4, 3, 1e-2, False, seed=1),
    case("weighted", 80, 5, 4, 3e-3, True, seed=2),
    case("strong_penalty", 40, 6, 3, 1.0, False, seed=3),
    case("absent_class", 50, 3, 4, 1e-2, False, drop_class=2, seed=4),
]
print(json.dumps({"generator": "tools/reference_logistic.py (scikit-learn %s)" % __import__("sklearn").__version__, "cases": cases}))
