"""The report's judgements: each a rule on measured facts with its threshold, in one place.

A sentence that calls a run overfitted, calibrated or at chance, or a figure worth drawing,
asks the function here, and states the threshold from here beside the figure it judged.
"""

from __future__ import annotations

import numpy as np

# An error the network gave at least this probability is "overconfident".
OVERCONFIDENT = 0.99
# The test loss "rose" when its last value is this much above its lowest (relative).
LOSS_RISE = 0.2
# Probabilities are "calibrated" when the expected calibration error is at most this (the
# mean gap between confidence and accuracy, over bins of confidence).
CALIBRATED_ECE = 0.05
# A difference is "beyond chance" when its two-sided p-value, corrected for the number of tests,
# is below this.
SIGNIFICANCE = 0.05
# The first layer's weights are drawn when neighbouring weights of a unit (or filter) correlate
# by at least this much on average: trained structure (strokes, blobs, edges) is smooth at the
# pixel scale, while the random start and what training leaves of it correlate by about 0.
STRUCTURED = 0.3


def overfits(train_accuracy: float, high: float) -> bool:
    """The network fits its training images better than chance explains: the training accuracy
    lies above ``high``, the upper end of the 95% interval of the accuracy on images it did not
    train on (the cross-validated mean's where there is one, the steadier; else the test
    part's)."""
    return train_accuracy > high


def costly_changes(rows: list[dict]) -> tuple[str, ...]:
    """The changes of the test photos that cost accuracy: each turns more of the same photos
    from right to wrong than back, and its exact McNemar test (``p_value``) rejects "no effect"
    at :data:`SIGNIFICANCE` under Holm's step-down correction for the number of changes tested
    (``rows``: one per change, with ``change``, ``turned_wrong``, ``turned_right``,
    ``p_value``)."""
    ordered = sorted(rows, key=lambda row: row["p_value"])
    rejected = []
    for rank, row in enumerate(ordered):
        if row["p_value"] >= SIGNIFICANCE / (len(ordered) - rank):
            break
        rejected.append(row["change"])
    worse = {row["change"] for row in rows if row["turned_wrong"] > row["turned_right"]}
    return tuple(
        row["change"] for row in rows if row["change"] in rejected and row["change"] in worse
    )


def loss_rose(last: float, lowest: float) -> bool:
    """The test loss ended :data:`LOSS_RISE` above its lowest."""
    return last > (1 + LOSS_RISE) * lowest


def calibrated(ece: float) -> bool:
    return ece <= CALIBRATED_ECE


def at_chance(predicted_classes: int, balanced_accuracy: float, classes: int, n: int) -> bool:
    """The network answers one class only, or its balanced accuracy is within one image of
    guessing."""
    return predicted_classes == 1 or balanced_accuracy <= 1 / classes + 1 / n


def no_effect(changed: dict, stated: dict) -> bool:
    """A change of the set-up leaves the cross-validated accuracy (summaries with
    ``accuracy_mean`` and ``accuracy_std``) where it was: the means differ by no more than the
    larger of the two spreads over the folds."""
    spread = max(changed["accuracy_std"], stated["accuracy_std"])
    return abs(changed["accuracy_mean"] - stated["accuracy_mean"]) <= spread


def neighbour_correlation(images: np.ndarray) -> float:
    """The correlation of horizontally and vertically neighbouring values of ``images``
    (units, h, w), each image centred on its own mean: near 1 for smooth images, near 0 for
    noise."""
    centred = images - images.mean(axis=(1, 2), keepdims=True)
    left = np.concatenate([centred[:, :, :-1].ravel(), centred[:, :-1, :].ravel()])
    right = np.concatenate([centred[:, :, 1:].ravel(), centred[:, 1:, :].ravel()])
    scale = np.sqrt((left * left).sum() * (right * right).sum())
    return float((left * right).sum() / scale) if scale > 0 else 0.0


def structured(correlation: float) -> bool:
    return correlation >= STRUCTURED
