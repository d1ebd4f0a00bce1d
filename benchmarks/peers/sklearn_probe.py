#!/usr/bin/python3
"""The tuned linear probe of benchmarks/fewshot: scikit-learn's StandardScaler + LogisticRegressionCV(Cs=10, cv=5,
max_iter=5000) on the frozen base's features, which Tanuki.FewShot writes to a folder:

    sklearn_probe.py DIR WIDTH

DIR holds train_x.f32 (N x WIDTH float32, row-major), train_y.i32 (N int32 labels) and test_x.f32 (M x WIDTH).
Prints one JSON object: the predicted class of each test sample, the chosen C, the folds used and scikit-learn's
version. Debian's python3-sklearn (1.2) is the reference; nothing here is tuned beyond scikit-learn's own
cross-validation.

The folds are cv=5's (StratifiedKFold(5), unshuffled), with one change: a class with a single image stays in every
training fold and is never scored out of fold. scikit-learn 1.2's LogisticRegressionCV fails (an inhomogeneous
reshape) when a class is missing from a training fold, which the imbalanced regimes' one-image classes would cause.
When the largest class has fewer than 5 images, the folds drop to that count, as StratifiedKFold requires.
"""
import json
import os
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def folds(y, k):
    """StratifiedKFold(k)'s splits of the classes with two or more images; single-image classes always train."""
    single = np.bincount(y)[y] < 2
    index = np.arange(len(y))
    scored, kept = index[~single], index[single]
    return [(np.concatenate([scored[train], kept]), scored[test])
            for train, test in StratifiedKFold(k).split(scored, y[scored])]


def main():
    folder, width = sys.argv[1], int(sys.argv[2])
    x = np.fromfile(os.path.join(folder, "train_x.f32"), dtype=np.float32).reshape(-1, width)
    y = np.fromfile(os.path.join(folder, "train_y.i32"), dtype=np.int32)
    test = np.fromfile(os.path.join(folder, "test_x.f32"), dtype=np.float32).reshape(-1, width)
    if len(x) != len(y):
        raise SystemExit(f"{len(x)} feature rows but {len(y)} labels")
    k = min(5, int(np.bincount(y).max()))
    start = time.perf_counter()
    with warnings.catch_warnings():
        # Classes smaller than the folds and slow convergence at the weakest penalties only warn; the fit stands.
        warnings.simplefilter("ignore")
        probe = make_pipeline(StandardScaler(), LogisticRegressionCV(Cs=10, cv=folds(y, k), max_iter=5000))
        probe.fit(x, y)
    predicted = probe.predict(test)
    json.dump({
        "predictions": [int(p) for p in predicted],
        "C": float(probe[-1].C_[0]),
        "folds": k,
        "fit_seconds": time.perf_counter() - start,
        "sklearn": sklearn.__version__,
    }, sys.stdout)


if __name__ == "__main__":
    main()
