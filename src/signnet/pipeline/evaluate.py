"""The evaluate stage's work: predictions, hand-computed metrics, and their cross-check."""

from __future__ import annotations

import numpy as np

from signnet.crosscheck import crosscheck, require_agreement
from signnet.metrics import classification_metrics
from signnet.modelfile import TrainedModel

# The figures of metrics.json, the file `dvc metrics show` and `dvc exp show` read, with the
# cross-validated ones of cv.json: the headline only, so that the table fits a terminal. Every
# figure of both parts is in evaluation.json.
HEADLINE_PART = "test"
HEADLINE = ("accuracy", "log_loss")


def headline(results: dict[str, dict], robustness: dict | None) -> dict[str, dict[str, float]]:
    """``{"test": {"accuracy": ..., "log_loss": ..., "worst": ...}}`` from the parts'
    ``results`` and the ``robustness`` record, rounded for display in DVC's tables. ``worst`` is
    the test accuracy under the photo change that costs most (left out where not measured); the
    mean over the changes is in evaluation.json only: with it, ``dvc metrics show`` would not
    fit 100 columns."""
    figures = results[HEADLINE_PART]
    part = {name: round(figures[name], 6) for name in HEADLINE}
    if robustness is not None:
        part["worst"] = round(robustness["worst"]["accuracy"], 6)
    return {HEADLINE_PART: part}


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
    """``{fpr, tpr}`` points of the ROC curve, for DVC's linear plot (none where the ROC is
    undefined: a part of one class)."""
    if result["roc"] is None:
        return []
    return [
        {"fpr": fpr, "tpr": tpr}
        for fpr, tpr in zip(result["roc"]["fpr"], result["roc"]["tpr"], strict=True)
    ]
