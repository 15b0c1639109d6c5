"""Classification metrics computed by hand with NumPy.

Conventions: ``labels`` and ``predicted`` are class indices (N,) in 0..K-1; ``proba`` is (N, K)
float64 with rows summing to 1. The confusion matrix has actual classes as rows and predicted
classes as columns. With two classes, index 1 is the positive class.

A figure that is undefined for the sample is reported as undefined, never as a number that
means something else: a ratio whose denominator is zero (the precision of a class never
predicted, the recall of a class absent from the sample) is NaN while computing, as
scikit-learn's ``zero_division=np.nan`` gives, and left out of the macro and weighted averages
as scikit-learn leaves it; the ROC curve and its area are undefined when the sample holds one
class only (scikit-learn refuses them). :func:`classification_metrics` returns undefined figures
as None (JSON null). The metrics of an empty sample are an error.
"""

from __future__ import annotations

import math

import numpy as np

from signnet.errors import SignnetError

# The 97.5% quantile of the standard normal distribution, for two-sided 95% intervals.
Z_95 = 1.959963984540054
# Equal-width bins of confidence over [0, 1] for the reliability curve (Guo et al., 2017).
CALIBRATION_BINS = 10


def confusion_matrix(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts int64 (K, K): entry [a, p] = samples of actual class a predicted as p."""
    return np.bincount(labels * n_classes + predicted, minlength=n_classes**2).reshape(
        n_classes, n_classes
    )


class MetricsError(SignnetError):
    """Metrics asked of a sample they are not defined for."""


def _ratio(numerator: np.ndarray | float, denominator: np.ndarray | float) -> np.ndarray:
    """numerator / denominator elementwise, NaN (undefined) where the denominator is 0."""
    numerator, denominator = np.asarray(numerator, float), np.asarray(denominator, float)
    safe = np.where(denominator == 0, 1.0, denominator)
    return np.where(denominator == 0, np.nan, numerator / safe)


def defined(value):
    """``value`` (a number, an array or a nested list of them) with NaN as None, for JSON."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple):
        return [defined(v) for v in value]
    if isinstance(value, dict):
        return {k: defined(v) for k, v in value.items()}
    return None if isinstance(value, float) and math.isnan(value) else value


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval for a proportion ``successes / n`` (95% by default)."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def mcnemar_exact(turned_wrong: int, turned_right: int) -> float:
    """The two-sided p-value of the exact McNemar test for paired outcomes: of the photos that a
    change alters, ``turned_wrong`` went from right to wrong and ``turned_right`` the other way;
    under no effect each altered photo goes either way with probability 1/2 (a binomial test on
    the discordant pairs). 1.0 when no photo is altered."""
    n, k = turned_wrong + turned_right, min(turned_wrong, turned_right)
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def per_class_report(confusion: np.ndarray) -> dict[str, np.ndarray]:
    """Per class (K,): precision, recall, f1 and support, as scikit-learn's report computes."""
    true_positive = np.diag(confusion).astype(float)
    support = confusion.sum(axis=1)
    precision = _ratio(true_positive, confusion.sum(axis=0))
    recall = _ratio(true_positive, support)
    f1 = _ratio(2 * true_positive, support + confusion.sum(axis=0))
    return {"precision": precision, "recall": recall, "f1": f1, "support": support}


def _mean(values: np.ndarray, weights: np.ndarray) -> float:
    """The ``weights``-weighted mean of the defined ``values``, NaN if none is; unweighted if
    the defined values all weigh 0 (scikit-learn's ``_nanaverage``)."""
    keep = ~np.isnan(values)
    if not keep.any():
        return math.nan
    values, weights = values[keep], weights[keep]
    total = weights.sum()
    return float(np.sum(values * weights) / total) if total > 0 else float(np.mean(values))


def averages(report: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Macro (unweighted) and support-weighted averages of precision, recall and f1, over the
    classes where each is defined."""
    support = report["support"].astype(float)
    return {
        kind: {name: _mean(report[name], w) for name in ("precision", "recall", "f1")}
        for kind, w in (("macro", np.ones_like(support)), ("weighted", support))
    }


def log_loss(labels: np.ndarray, proba: np.ndarray) -> float:
    """Mean of -log p(true class), each probability clipped to [eps, 1 - eps] as scikit-learn."""
    eps = np.finfo(proba.dtype).eps
    true_class = np.clip(proba[np.arange(len(labels)), labels], eps, 1 - eps)
    return float(-np.mean(np.log(true_class)))


def roc_curve(positive: np.ndarray, scores: np.ndarray) -> dict[str, np.ndarray]:
    """ROC points for binary truth ``positive`` (N,) and ``scores`` (N,), at the thresholds where
    the curve turns.

    Thresholds are distinct scores in decreasing order, preceded by +inf (nothing predicted
    positive); a sample is predicted positive when its score >= threshold. A threshold whose
    point lies on the straight segment between its neighbours is dropped, as scikit-learn's
    ``drop_intermediate`` drops it: the curve and its area are the same, and the points grow with
    the turns of the curve, not with the number of samples. Returns ``fpr``, ``tpr`` and
    ``thresholds``, each (T + 1,) for the T thresholds kept.
    """
    order = np.argsort(-scores, kind="stable")
    scores, positive = scores[order], positive[order].astype(float)
    last_of_each = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    true_positives = np.cumsum(positive)[last_of_each]
    false_positives = (last_of_each + 1) - true_positives
    if len(last_of_each) > 2:
        turns = np.diff(false_positives, 2).astype(bool) | np.diff(true_positives, 2).astype(bool)
        keep = np.r_[True, turns, True]
        last_of_each = last_of_each[keep]
        true_positives, false_positives = true_positives[keep], false_positives[keep]
    tpr = _ratio(np.r_[0.0, true_positives], positive.sum())
    fpr = _ratio(np.r_[0.0, false_positives], len(positive) - positive.sum())
    return {"fpr": fpr, "tpr": tpr, "thresholds": np.r_[np.inf, scores[last_of_each]]}


def auc(fpr: np.ndarray, tpr: np.ndarray) -> float:
    """Area under the curve through (fpr, tpr) by the trapezoidal rule."""
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def roc(labels: np.ndarray, proba: np.ndarray) -> dict[str, np.ndarray] | None:
    """The ROC curve of the positive class (K = 2) or micro-averaged one-vs-rest (K > 2); None
    (undefined) when the truth holds one value only."""
    n_classes = proba.shape[1]
    if n_classes == 2:
        truth, scores = labels == 1, proba[:, 1]
    else:
        truth, scores = np.eye(n_classes, dtype=bool)[labels].ravel(), proba.ravel()
    if truth.all() or not truth.any():
        return None
    return roc_curve(truth, scores)


def reliability(labels: np.ndarray, proba: np.ndarray, bins: int = CALIBRATION_BINS) -> dict:
    """The reliability curve of the predicted class's probability (its confidence) and the
    expected calibration error (Guo et al., 2017).

    Confidences fall into ``bins`` equal-width bins over [0, 1], right edges included (a
    confidence on an edge belongs to the bin below, as scikit-learn's ``calibration_curve``
    bins it). For each bin that holds a sample: ``confidence``, the mean confidence;
    ``accuracy``, the share answered right; ``count``. ``ece`` is the mean over the samples of
    each bin's gap |accuracy - confidence|: 0 when every bin's confidence is its accuracy.
    ``gap`` is the mean confidence minus the accuracy (above 0: overconfident).
    """
    predicted = np.argmax(proba, axis=1)
    confidence = proba[np.arange(len(labels)), predicted]
    correct = (predicted == labels).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.searchsorted(edges[1:-1], confidence, side="left")  # (N,) bin of each sample
    count = np.bincount(index, minlength=bins)
    filled = count > 0
    mean_confidence = np.bincount(index, confidence, bins)[filled] / count[filled]
    mean_accuracy = np.bincount(index, correct, bins)[filled] / count[filled]
    weights = count[filled] / len(labels)
    return {
        "confidence": mean_confidence.tolist(),
        "accuracy": mean_accuracy.tolist(),
        "count": count[filled].tolist(),
        "ece": float(np.sum(weights * np.abs(mean_accuracy - mean_confidence))),
        "gap": float(confidence.mean() - correct.mean()),
    }


def classification_metrics(labels: np.ndarray, proba: np.ndarray) -> dict:
    """Every figure the report shows for one part of the data.

    Returns a dict: ``confusion`` (K, K) list; ``accuracy`` with ``accuracy_ci`` (Wilson 95%);
    ``log_loss``; ``balanced_accuracy``; ``per_class`` precision/recall/f1/support lists;
    ``macro`` and ``weighted`` averages; ``roc`` fpr and tpr lists (thresholds are the sorted
    scores) and ``roc_auc``; ``calibration`` (see :func:`reliability`); and for two classes the
    positive class's ``precision``, ``recall``, ``f1`` and ``specificity``. Undefined figures
    are None (see the module's conventions).
    """
    if len(labels) == 0:
        raise MetricsError("no images: the metrics of an empty set are undefined")
    n_classes = proba.shape[1]
    predicted = np.argmax(proba, axis=1)
    confusion = confusion_matrix(labels, predicted, n_classes)
    report = per_class_report(confusion)
    correct = int(np.trace(confusion))
    curve = roc(labels, proba)
    result = {
        "n": int(len(labels)),
        "confusion": confusion.tolist(),
        "accuracy": correct / len(labels),
        "accuracy_ci": list(wilson_interval(correct, len(labels))),
        # Mean recall over the classes present in the sample, as scikit-learn averages it.
        "balanced_accuracy": float(np.mean(report["recall"][report["support"] > 0])),
        "log_loss": log_loss(labels, proba),
        "per_class": {name: values.tolist() for name, values in report.items()},
        **averages(report),
        "roc_auc": None if curve is None else auc(curve["fpr"], curve["tpr"]),
        "roc": None if curve is None else {k: curve[k].tolist() for k in ("fpr", "tpr")},
        "calibration": reliability(labels, proba),
    }
    if n_classes == 2:
        (tn, fp), (_, _) = confusion
        result["precision"] = float(report["precision"][1])
        result["recall"] = float(report["recall"][1])
        result["f1"] = float(report["f1"][1])
        result["specificity"] = float(_ratio(tn, tn + fp))
    return defined(result)
