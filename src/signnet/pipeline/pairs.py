"""The all-pairs difficulty map's work: every pair of digits in the photos, each cross-validated
with the same ``model`` and ``train`` params (see :mod:`signnet.pipeline.crossvalidate`), and
the symmetric map of their mean accuracies.

A pair is named ``"a vs b"`` with ``a < b``; as the filter stage does for ``[a, b]``, class
index 1 (the positive class) is ``b``.
"""

from __future__ import annotations

import itertools

import numpy as np

from signnet.data.subset import select_classes

# How many of the hardest pairs the map names.
HARDEST = 5


def pair_name(a: int, b: int) -> str:
    """The name of the pair of digits ``a`` < ``b``."""
    return f"{a} vs {b}"


def pair_digits(name: str) -> tuple[int, int]:
    """The two digits of a pair's :func:`pair_name`."""
    a, b = name.split(" vs ")
    return int(a), int(b)


def pair_datasets(dataset: dict[str, np.ndarray]) -> dict[str, dict[str, np.ndarray]]:
    """Each pair of the digits in ``dataset`` (images, digits, files: the download stage's
    output) as a filtered dataset, by :func:`pair_name`, in order (0 vs 1, 0 vs 2, ...)."""
    digits = sorted(int(d) for d in np.unique(dataset["digits"]))
    return {
        pair_name(a, b): select_classes(dataset, [a, b])
        for a, b in itertools.combinations(digits, 2)
    }


def difficulty_map(summaries: dict[str, dict]) -> tuple[np.ndarray, list[int]]:
    """(map (D, D), digits (D,)): entry [i, j] = [j, i] is the mean CV accuracy of the pair of
    digits i and j, from ``summaries`` (pair name -> CV summary); the diagonal is NaN."""
    pairs = {pair_digits(name): s for name, s in summaries.items()}
    digits = sorted({d for pair in pairs for d in pair})
    index = {d: i for i, d in enumerate(digits)}
    grid = np.full((len(digits), len(digits)), np.nan)
    for (a, b), summary in pairs.items():
        grid[index[a], index[b]] = grid[index[b], index[a]] = summary["accuracy_mean"]
    return grid, digits


def hardest(summaries: dict[str, dict], n: int = HARDEST) -> list[dict]:
    """The ``n`` pairs with the lowest mean CV accuracy, lowest first (ties by name): each
    ``{"pair", "accuracy_mean", "accuracy_std"}``."""
    ranked = sorted(summaries.items(), key=lambda item: (item[1]["accuracy_mean"], item[0]))
    return [
        {"pair": name, "accuracy_mean": s["accuracy_mean"], "accuracy_std": s["accuracy_std"]}
        for name, s in ranked[:n]
    ]
