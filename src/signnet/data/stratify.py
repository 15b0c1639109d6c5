"""Stratified, seeded choice of held-out samples: which indices go to training, which to test.

``labels`` are class indices 0..K-1 and ``classes`` (K,) the digit of each, which messages name
(the digit a user wrote in ``filter.classes``, not its index)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from signnet.errors import SignnetError


class StratifyError(SignnetError):
    """A held-out fraction that the data cannot support."""


def held_out_sizes(sizes: np.ndarray, test_fraction: float) -> np.ndarray:
    """The one formula for how many of each class are held out: ``round(fraction * size)``
    for each class size in ``sizes`` (K,) (NumPy rounds halves to even)."""
    return np.round(np.asarray(sizes) * test_fraction).astype(np.int64)


def held_out_counts(labels: np.ndarray, classes: Sequence[int], test_fraction: float) -> np.ndarray:
    """Test samples per class, (K,): ``round(test_fraction * class size)`` for each class.

    Raises :class:`StratifyError` when a class would have no test or no training sample.
    """
    sizes = np.bincount(labels, minlength=len(classes))
    counts = held_out_sizes(sizes, test_fraction)
    for k, digit in enumerate(classes):
        if counts[k] == 0 or counts[k] == sizes[k]:
            side = "test" if counts[k] == 0 else "training"
            raise StratifyError(
                f"held-out fraction {test_fraction}: digit {digit} has {sizes[k]} sample(s), "
                f"which leaves it no {side} sample; choose a fraction that leaves each class "
                "at least one sample on each side"
            )
    return counts


def stratified_indices(
    labels: np.ndarray, classes: Sequence[int], test_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) into ``labels`` (N,), drawn per class with ``seed``.

    Each class gives :func:`held_out_counts` samples to the test part. The train indices are
    shuffled (classes interleaved, ready for mini-batches); the test indices are in data order.
    """
    counts = held_out_counts(labels, classes, test_fraction)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for k in range(len(classes)):
        members = rng.permutation(np.flatnonzero(labels == k))
        test.append(members[: counts[k]])
        train.append(members[counts[k] :])
    return rng.permutation(np.concatenate(train)), np.sort(np.concatenate(test))


def stratified_folds(
    labels: np.ndarray, classes: Sequence[int], k: int, seed: int
) -> list[np.ndarray]:
    """The test indices (sorted) of each of ``k`` stratified folds of ``labels`` (N,).

    Each class's members, shuffled with ``seed``, are dealt to the folds in turn, so every fold
    holds ``floor`` or ``ceil`` of class size / k of each class and the folds partition the
    data. Raises :class:`StratifyError` when a class has fewer than ``k`` samples (some fold
    would test none of it).
    """
    sizes = np.bincount(labels, minlength=len(classes))
    if sizes.min() < k:
        smallest = int(np.argmin(sizes))
        raise StratifyError(
            f"{k} folds: digit {classes[smallest]} has only {sizes[smallest]} sample(s), so "
            "some fold "
            f"would test none of it; use at most {sizes[smallest]} folds"
        )
    rng = np.random.default_rng(seed)
    fold_of = np.empty(len(labels), dtype=np.int64)
    start = 0  # where the next class starts dealing, so fold sizes stay within one of each other
    for c in range(len(classes)):
        members = rng.permutation(np.flatnonzero(labels == c))
        fold_of[members] = (start + np.arange(len(members))) % k
        start = (start + len(members)) % k
    return [np.flatnonzero(fold_of == f) for f in range(k)]
