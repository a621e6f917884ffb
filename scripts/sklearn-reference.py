#!/usr/bin/python3
"""Expected values of the evaluation metrics, computed by scikit-learn (the independent reference).

Writes tests/evaluation/fixtures/sklearn-reference.json, which tests/evaluation/metrics.test.ts compares with the
TypeScript metrics to 1e-9. Needs Debian's python3-sklearn: run it as `/usr/bin/python3 scripts/sklearn-reference.py`
(or with `--stdout` to print instead of writing the file). Undefined values are written as null.
"""

import json
import math
import os
import sys
import warnings

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    cohen_kappa_score,
    confusion_matrix,
    f1_score,
    precision_recall_curve,
    precision_recall_fscore_support,
    roc_auc_score,
    roc_curve,
)

warnings.filterwarnings("ignore")

BOOTSTRAP_ITERATIONS = 200
BOOTSTRAP_SEED = 42
N_BINS = 10


def mulberry32(seed):
    """The same PRNG as metrics.ts, in unsigned 32-bit arithmetic."""
    state = seed & 0xFFFFFFFF

    def imul(a, b):
        return (a * b) & 0xFFFFFFFF

    def rand():
        nonlocal state
        state = (state + 0x6D2B79F5) & 0xFFFFFFFF
        t = imul(state ^ (state >> 15), state | 1)
        t = ((t + imul(t ^ (t >> 7), t | 61)) & 0xFFFFFFFF) ^ t
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296

    return rand


def clean(value):
    """JSON-safe: numpy to Python, NaN to null."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return None if math.isnan(v) else v
    return value


def random_probs(rng, n, k, decimals):
    raw = rng.dirichlet(np.ones(k) * 0.7, size=n)
    rounded = np.round(raw, decimals)
    # Keep rows summing to 1 after rounding: the last column takes the remainder.
    rounded[:, -1] = np.round(1 - rounded[:, :-1].sum(axis=1), decimals)
    return np.clip(rounded, 0, 1)


def make_cases():
    rng = np.random.default_rng(20261127)
    cases = []

    # Three classes, probabilities rounded to 2 decimals so that scores tie.
    n, k = 60, 3
    y = rng.integers(0, k, size=n)
    p = random_probs(rng, n, k, 2)
    # Make the model better than chance: push probability mass towards gold for two thirds.
    for i in range(0, n, 3):
        p[i] = np.round(np.eye(k)[y[i]] * 0.7 + p[i] * 0.3, 2)
        p[i, -1] = np.round(1 - p[i, :-1].sum(), 2)
    cases.append(("multiclass_ties", k, y, p))

    # Binary with many tied scores (ROC ties) and a confidence on an inner bin edge (0.3 / 0.7).
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0])
    s = np.array([0.9, 0.7, 0.7, 0.7, 0.3, 0.3, 0.3, 0.1, 0.6, 0.6, 0.2, 0.8, 0.55, 0.45, 0.7, 0.9])
    cases.append(("binary_tied_scores", 2, y, np.stack([1 - s, s], axis=1)))

    # Class 2 never predicted (its probability is never the largest).
    n, k = 40, 3
    y = rng.integers(0, k, size=n)
    p = random_probs(rng, n, k, 3)
    p[:, 2] = np.round(np.minimum(p[:, 0], p[:, 1]) * 0.5, 3)
    p = p / p.sum(axis=1, keepdims=True)
    cases.append(("class_absent_from_predictions", k, y, p))

    # Class 1 absent from gold (but predicted sometimes).
    n, k = 30, 3
    y = rng.choice([0, 2], size=n)
    p = random_probs(rng, n, k, 3)
    cases.append(("class_absent_from_gold", k, y, p))

    # Gold has one class only: kappa and every AUC are undefined.
    n, k = 12, 2
    y = np.zeros(n, dtype=int)
    p = random_probs(rng, n, k, 2)
    cases.append(("single_gold_class", k, y, p))

    # Four classes, all predictions right.
    y = np.array([0, 1, 2, 3, 0, 1, 2, 3, 3, 2])
    p = np.full((len(y), 4), 0.1)
    p[np.arange(len(y)), y] = 0.7
    cases.append(("perfect", 4, y, p))
    return cases


def evaluate(name, k, y, p):
    labels = list(range(k))
    y_pred = np.argmax(p, axis=1)
    prec, rec, f1, support = precision_recall_fscore_support(y, y_pred, labels=labels, zero_division=0)
    out = {
        "name": name,
        "k": k,
        "yTrue": y,
        "probs": p,
        "yPred": y_pred,
        "accuracy": accuracy_score(y, y_pred),
        "confusion": confusion_matrix(y, y_pred, labels=labels),
        "confusionNormalized": confusion_matrix(y, y_pred, labels=labels, normalize="true"),
        "perClass": [
            {"precision": prec[c], "recall": rec[c], "f1": f1[c], "support": support[c]} for c in labels
        ],
        "macroF1": f1_score(y, y_pred, labels=labels, average="macro", zero_division=0),
        "microF1": f1_score(y, y_pred, labels=labels, average="micro", zero_division=0),
        "weightedF1": f1_score(y, y_pred, labels=labels, average="weighted", zero_division=0),
        "kappa": cohen_kappa_score(y, y_pred, labels=labels),
    }

    roc, auc, pr, ap = [], [], [], []
    for c in labels:
        yc = (y == c).astype(int)
        positives = int(yc.sum())
        if 0 < positives < len(y):
            fpr, tpr, thr = roc_curve(yc, p[:, c])
            # The first threshold is a sentinel (thresholds[0] + 1 or inf, by sklearn version): not compared.
            roc.append({"x": fpr, "y": tpr, "thresholds": thr[1:]})
            auc.append(roc_auc_score(yc, p[:, c]))
        else:
            roc.append(None)
            auc.append(float("nan"))
        if positives > 0:
            precision, recall, thr = precision_recall_curve(yc, p[:, c])
            pr.append({"x": recall, "y": precision, "thresholds": thr})
            ap.append(average_precision_score(yc, p[:, c]))
        else:
            pr.append(None)
            ap.append(float("nan"))
    out["roc"] = roc
    out["auc"] = auc
    defined = [a for a in auc if not math.isnan(a)]
    out["macroAuc"] = float(np.mean(defined)) if defined else float("nan")
    if len(defined) == k:
        out["macroAucSklearn"] = (
            roc_auc_score(y, p[:, 1]) if k == 2 else roc_auc_score(y, p, multi_class="ovr", average="macro")
        )
    out["pr"] = pr
    out["averagePrecision"] = ap

    confidence = p.max(axis=1)
    correct = (y_pred == y).astype(int)
    bins = np.linspace(0.0, 1.0, N_BINS + 1)
    binids = np.searchsorted(bins[1:-1], confidence)
    counts = np.bincount(binids, minlength=N_BINS)
    prob_true, prob_pred = calibration_curve(correct, confidence, n_bins=N_BINS, strategy="uniform")
    out["reliability"] = {"counts": counts, "accuracy": prob_true, "meanConfidence": prob_pred}
    nonzero = counts > 0
    out["ece"] = float(np.sum(counts[nonzero] / len(y) * np.abs(prob_true - prob_pred)))
    out["histogramCorrect"] = np.histogram(confidence[correct == 1], bins=N_BINS, range=(0, 1))[0]
    out["histogramWrong"] = np.histogram(confidence[correct == 0], bins=N_BINS, range=(0, 1))[0]

    rand = mulberry32(BOOTSTRAP_SEED)
    samples = {"accuracy": [], "macroF1": [], "kappa": []}
    n = len(y)
    for _ in range(BOOTSTRAP_ITERATIONS):
        idx = np.array([int(rand() * n) for _ in range(n)])
        yt, yp = y[idx], y_pred[idx]
        samples["accuracy"].append(accuracy_score(yt, yp))
        samples["macroF1"].append(f1_score(yt, yp, labels=labels, average="macro", zero_division=0))
        samples["kappa"].append(cohen_kappa_score(yt, yp, labels=labels))
    intervals = {}
    for metric, values in samples.items():
        values = np.array(values, dtype=float)
        if np.all(np.isnan(values)):
            intervals[metric] = {"low": float("nan"), "high": float("nan")}
        else:
            low, high = np.nanpercentile(values, [2.5, 97.5])
            intervals[metric] = {"low": low, "high": high}
    out["bootstrap"] = intervals
    return out


def main():
    result = {
        "generator": "scripts/sklearn-reference.py",
        "sklearn": sklearn.__version__,
        "bootstrap": {"iterations": BOOTSTRAP_ITERATIONS, "seed": BOOTSTRAP_SEED},
        "nBins": N_BINS,
        "cases": [evaluate(*case) for case in make_cases()],
    }
    text = json.dumps(clean(result), indent=1) + "\n"
    if "--stdout" in sys.argv:
        sys.stdout.write(text)
        return
    target = os.path.join(os.path.dirname(__file__), "..", "tests", "evaluation", "fixtures", "sklearn-reference.json")
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"wrote {os.path.normpath(target)}")


if __name__ == "__main__":
    main()
