"""The evaluate stage's work: predictions, hand-computed metrics, and their cross-check."""

from __future__ import annotations

import numpy as np

from signnet.crosscheck import crosscheck, require_agreement
from signnet.metrics import classification_metrics
from signnet.modelfile import TrainedModel

# The figures of metrics.json, the file `dvc metrics show` and `dvc exp show` read.
BINARY_SUMMARY = ("precision", "recall", "f1", "specificity")


def summary(result: dict) -> dict[str, float]:
    """The headline figures of one part, rounded for display in DVC's tables."""
    low, high = result["accuracy_ci"]
    figures = {
        "accuracy": result["accuracy"],
        "accuracy_ci95_low": low,
        "accuracy_ci95_high": high,
        "balanced_accuracy": result["balanced_accuracy"],
        "log_loss": result["log_loss"],
        "roc_auc": result["roc_auc"],
    }
    if "precision" in result:
        figures.update({name: result[name] for name in BINARY_SUMMARY})
    else:
        figures.update({"macro_f1": result["macro"]["f1"], "weighted_f1": result["weighted"]["f1"]})
    return {name: round(value, 6) for name, value in figures.items()}


def evaluate_parts(model: TrainedModel, parts: dict[str, dict[str, np.ndarray]]) -> dict:
    """Metrics and cross-check rows per part (e.g. ``test``, ``train``), and test predictions.

    Raises :class:`~signnet.crosscheck.CrossCheckError` if any hand-computed figure differs
    from scikit-learn's by more than the tolerance, naming the part and every such figure.
    """
    results, checks, probabilities = {}, {}, {}
    for name, part in parts.items():
        proba = model.predict_proba(part["images"]).astype(np.float64)  # (n, K)
        result = classification_metrics(part["labels"], proba)
        rows = crosscheck(part["labels"], proba, result)
        require_agreement(rows, f"{name} part")
        results[name], checks[name], probabilities[name] = result, rows, proba
    return {"results": results, "crosscheck": checks, "probabilities": probabilities}


def confusion_records(digits: np.ndarray, predicted_digits: np.ndarray) -> list[dict]:
    """One ``{actual, predicted}`` record per sample, digits as text, for DVC's confusion plot."""
    return [
        {"actual": str(a), "predicted": str(p)}
        for a, p in zip(digits.tolist(), predicted_digits.tolist(), strict=True)
    ]


def roc_records(result: dict) -> list[dict]:
    """``{fpr, tpr}`` points of the ROC curve, for DVC's linear plot."""
    return [
        {"fpr": fpr, "tpr": tpr}
        for fpr, tpr in zip(result["roc"]["fpr"], result["roc"]["tpr"], strict=True)
    ]
