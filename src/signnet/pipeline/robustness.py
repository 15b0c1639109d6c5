"""The evaluate stage's robustness measurement: the test part's photos changed the way a
person's own photo differs (:data:`signnet.data.changes.CHANGES`), each read again from its
original file, changed at its own size, resized as ``signnet predict`` resizes it and classified.

Each change gets its accuracy with Wilson's 95% interval; the worst and the mean over the
changes (the photos as taken left out) are the headline. One photo is shown under every change
with the network's answer: the test photo that the most changes turn wrong while it is right as
taken (ties: the first in the test part), so the figure shows what breaks.
"""

from __future__ import annotations

import numpy as np

from signnet.data.changes import AS_TAKEN, CHANGES, decode_changed
from signnet.errors import SignnetError
from signnet.metrics import mcnemar_exact, wilson_interval
from signnet.modelfile import TrainedModel


class RobustnessError(SignnetError):
    """A test part whose photos the source does not hold."""


# The seed of the changes' random draws (noise): photo i of the test part draws from a generator
# seeded with SEED + i, so every run changes every photo alike.
SEED = 0


def changed_images(photos: dict[str, bytes], files: list[str], size: int) -> np.ndarray:
    """uint8 (C, N, size, size): the photos ``files`` (keys of ``photos``, their encoded bytes)
    under each of the C changes, in :data:`CHANGES` order."""
    return np.stack(
        [
            np.stack(
                [
                    decode_changed(photos[f], size, f, change, np.random.default_rng(SEED + i))
                    for i, f in enumerate(files)
                ]
            )
            for change in CHANGES
        ]
    )


def measure_robustness(
    model: TrainedModel, test: dict[str, np.ndarray], photos: dict[str, bytes]
) -> tuple[dict, np.ndarray]:
    """The record of the test part ``test`` (its ``files`` and ``labels``) under every change,
    and the example photo under every change, uint8 (C, S, S).

    The record holds ``changes``, a row per change (``change``, ``strength``, ``photos``,
    ``correct``, ``accuracy``, its Wilson interval ``low`` and ``high``, the photos it turns
    from right to wrong and back, ``turned_wrong`` and ``turned_right``, and the exact McNemar
    test's ``p_value`` for them), ``worst`` (the change name and accuracy),
    ``mean_accuracy`` over the changes, and ``example``: its ``file``, ``digit``,
    ``right_as_taken`` (False only where no test photo is) and per change the ``answer`` (a
    digit) and its ``probability``.
    """
    files, labels = [str(f) for f in test["files"]], np.asarray(test["labels"])
    missing = [f for f in files if f not in photos]
    if missing:
        raise RobustnessError(
            f"the test part names {len(missing)} photo(s) the source does not hold, e.g. "
            f"{missing[0]}: the parts are from other data; rerun the pipeline (dvc repro)"
        )
    images = changed_images(photos, files, model.preprocessing.image_size)
    n = images.shape[1]
    proba = np.stack([model.predict_proba(changed) for changed in images])  # (C, N, K)
    answers = proba.argmax(axis=2)  # (C, N) class indices
    right = answers == labels  # (C, N)
    taken = CHANGES.index(AS_TAKEN)
    rows = []
    for change, hits in zip(CHANGES, right, strict=True):
        correct = int(hits.sum())
        low, high = wilson_interval(correct, n)
        turned_wrong = int((right[taken] & ~hits).sum())
        turned_right = int((~right[taken] & hits).sum())
        rows.append(
            {
                "change": change.name,
                "strength": change.strength,
                "photos": n,
                "correct": correct,
                "accuracy": correct / n,
                "low": low,
                "high": high,
                "turned_wrong": turned_wrong,
                "turned_right": turned_right,
                "p_value": mcnemar_exact(turned_wrong, turned_right),
            }
        )
    turned = np.where(right[taken], (~right).sum(axis=0), -1)  # (N,) wrong answers, if right
    chosen = int(np.argmax(turned))
    example = {
        "file": files[chosen],
        "digit": int(model.classes[labels[chosen]]),
        "right_as_taken": bool(right[taken, chosen]),
        "answers": [
            {
                "change": change.name,
                "answer": int(model.classes[answers[k, chosen]]),
                "probability": float(proba[k, chosen, answers[k, chosen]]),
            }
            for k, change in enumerate(CHANGES)
        ],
    }
    record = {"changes": rows, **worst_and_mean(rows), "example": example}
    return record, images[:, chosen]


def worst_and_mean(rows: list[dict]) -> dict:
    """``worst`` (the change name and accuracy) and ``mean_accuracy`` over the changes of
    ``rows`` (one ``{change, accuracy, ...}`` per change, the photos as taken left out)."""
    changed = [row for row in rows if row["change"] != AS_TAKEN.name]
    worst = min(changed, key=lambda row: row["accuracy"])
    return {
        "worst": {"change": worst["change"], "accuracy": worst["accuracy"]},
        "mean_accuracy": float(np.mean([row["accuracy"] for row in changed])),
    }


def plot_records(record: dict | None) -> list[dict]:
    """``{change, accuracy}`` per change, for DVC's bar plot (none where not measured)."""
    if record is None:
        return []
    return [{"change": r["change"], "accuracy": r["accuracy"]} for r in record["changes"]]
