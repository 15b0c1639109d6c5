"""Every hand-computed metric compared with scikit-learn's: the one place scikit-learn is used.

:func:`crosscheck` recomputes each figure of :func:`signnet.metrics.classification_metrics`
with scikit-learn (``zero_division=np.nan``: a ratio over nothing is undefined) and returns one
row per figure with both values and their absolute difference; a figure both leave undefined
(NaN, or a ROC that scikit-learn refuses for a sample of one class) agrees; one that only one of
them leaves undefined differs infinitely. :func:`require_agreement` raises, listing every
figure that differs by more than the tolerance.
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np

from signnet.errors import SignnetError
from signnet.metrics import CALIBRATION_BINS, defined

TOLERANCE = 1e-12


class CrossCheckError(SignnetError):
    """A hand-computed metric that scikit-learn does not confirm."""


def _log_loss(labels: np.ndarray, proba: np.ndarray) -> float:
    from sklearn import metrics as skm

    # scikit-learn 1.9 renamed y_pred to y_proba; pass whichever this version takes.
    name = "y_proba" if "y_proba" in inspect.signature(skm.log_loss).parameters else "y_pred"
    return skm.log_loss(labels, **{name: proba}, labels=np.arange(proba.shape[1]))


def _reference(labels: np.ndarray, proba: np.ndarray) -> dict[str, float | np.ndarray]:
    """scikit-learn's values, keyed like :func:`_hand_values`."""
    # Imported here, not with the module: the report reads TOLERANCE and needs no scikit-learn.
    from sklearn import metrics as skm

    n_classes = proba.shape[1]
    classes = np.arange(n_classes)
    predicted = np.argmax(proba, axis=1)
    per_class = skm.precision_recall_fscore_support(
        labels, predicted, labels=classes, zero_division=np.nan
    )
    values: dict[str, float | np.ndarray] = {
        "confusion matrix": skm.confusion_matrix(labels, predicted, labels=classes),
        "accuracy": skm.accuracy_score(labels, predicted),
        "balanced accuracy": skm.balanced_accuracy_score(labels, predicted),
        "log-loss": _log_loss(labels, proba),
    }
    for i, name in enumerate(("precision", "recall", "f1", "support")):
        values[f"per-class {name}"] = per_class[i]
    for average in ("macro", "weighted"):
        scores = skm.precision_recall_fscore_support(
            labels, predicted, labels=classes, average=average, zero_division=np.nan
        )
        for i, name in enumerate(("precision", "recall", "f1")):
            values[f"{average} {name}"] = scores[i]
    from sklearn.calibration import calibration_curve

    confidence = proba[np.arange(len(labels)), predicted]
    # Bins on [0, 1] as signnet.metrics.reliability's; only the bins that hold samples.
    accuracy, mean_confidence = calibration_curve(
        predicted == labels, confidence, n_bins=CALIBRATION_BINS, strategy="uniform"
    )
    values["reliability accuracy"], values["reliability confidence"] = accuracy, mean_confidence
    if n_classes == 2:
        truth, score = labels == 1, proba[:, 1]
        values["precision"] = skm.precision_score(labels, predicted, zero_division=np.nan)
        values["recall"] = skm.recall_score(labels, predicted, zero_division=np.nan)
        values["f1"] = skm.f1_score(labels, predicted, zero_division=np.nan)
        values["specificity"] = skm.recall_score(
            labels, predicted, pos_label=0, zero_division=np.nan
        )
    else:
        truth, score = np.eye(n_classes, dtype=bool)[labels].ravel(), proba.ravel()
    try:
        area = skm.roc_auc_score(truth, score)
    except ValueError:  # "Only one class present" (older versions raise, newer return NaN)
        area = np.nan
    if np.isnan(area):
        values["ROC fpr"] = values["ROC tpr"] = values["ROC AUC"] = None
    else:
        fpr, tpr, _ = skm.roc_curve(truth, score, drop_intermediate=True)
        values["ROC fpr"], values["ROC tpr"], values["ROC AUC"] = fpr, tpr, area
    return values


def _hand_values(result: dict) -> dict[str, float | np.ndarray]:
    """The figures of a :func:`classification_metrics` result, keyed like :func:`_reference`."""
    values = {
        "confusion matrix": np.array(result["confusion"]),
        "accuracy": result["accuracy"],
        "balanced accuracy": result["balanced_accuracy"],
        "log-loss": result["log_loss"],
        "ROC fpr": None if result["roc"] is None else result["roc"]["fpr"],
        "ROC tpr": None if result["roc"] is None else result["roc"]["tpr"],
        "ROC AUC": result["roc_auc"],
        "reliability accuracy": np.array(result["calibration"]["accuracy"]),
        "reliability confidence": np.array(result["calibration"]["confidence"]),
    }
    for name, per_class in result["per_class"].items():
        values[f"per-class {name}"] = np.array(per_class)
    for average in ("macro", "weighted"):
        for name, value in result[average].items():
            values[f"{average} {name}"] = value
    for name in ("precision", "recall", "f1", "specificity"):
        if name in result:
            values[name] = result[name]
    return values


def crosscheck(labels: np.ndarray, proba: np.ndarray, result: dict) -> list[dict]:
    """Rows ``{metric, hand, sklearn, difference}``; array figures compare their largest gap.

    Scalars are reported with both values (None where undefined); arrays with a shape mismatch
    count as infinitely different, as does a figure only one side leaves undefined.
    """
    with warnings.catch_warnings():
        # scikit-learn warns about defined edge cases (a class absent from the sample); the
        # values are what is compared.
        warnings.simplefilter("ignore")
        reference = _reference(labels, proba)
    hand = _hand_values(result)
    rows = []
    for metric, expected in reference.items():
        mine = np.asarray(np.nan if hand[metric] is None else hand[metric], dtype=float)
        theirs = np.asarray(np.nan if expected is None else expected, dtype=float)
        if mine.shape != theirs.shape or np.any(np.isnan(mine) != np.isnan(theirs)):
            difference = np.inf
        else:
            gaps = np.abs(mine - theirs)[~np.isnan(mine)]
            difference = float(np.max(gaps, initial=0.0))
        row = {"metric": metric, "difference": difference}
        if mine.ndim == 0:
            row.update(hand=defined(float(mine)), sklearn=defined(float(theirs)))
        rows.append(row)
    return rows


def require_agreement(rows: list[dict], where: str, tolerance: float = TOLERANCE) -> None:
    """Raise :class:`CrossCheckError` listing every row whose difference exceeds ``tolerance``."""
    bad = [row for row in rows if not row["difference"] <= tolerance]
    if bad:
        lines = [
            f"  {row['metric']}: hand {row.get('hand', '(array)')}, scikit-learn "
            f"{row.get('sklearn', '(array)')}, difference {row['difference']:.3g}"
            for row in bad
        ]
        raise CrossCheckError(
            f"{where}: {len(bad)} metric(s) differ from scikit-learn by more than {tolerance}:\n"
            + "\n".join(lines)
        )
