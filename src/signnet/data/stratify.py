"""Stratified, seeded choice of held-out samples: which indices go to training, which to test."""

from __future__ import annotations

import numpy as np

from signnet.errors import SignnetError


class StratifyError(SignnetError):
    """A held-out fraction that the data cannot support."""


def held_out_counts(labels: np.ndarray, n_classes: int, test_fraction: float) -> np.ndarray:
    """Test samples per class, (K,): ``round(test_fraction * class size)`` for each class.

    Raises :class:`StratifyError` when a class would have no test or no training sample.
    """
    sizes = np.bincount(labels, minlength=n_classes)
    counts = np.round(sizes * test_fraction).astype(np.int64)
    for k in range(n_classes):
        if counts[k] == 0 or counts[k] == sizes[k]:
            side = "test" if counts[k] == 0 else "training"
            raise StratifyError(
                f"held-out fraction {test_fraction}: class {k} has {sizes[k]} sample(s), "
                f"which leaves it no {side} sample; choose a fraction that leaves each class "
                "at least one sample on each side"
            )
    return counts


def stratified_indices(
    labels: np.ndarray, n_classes: int, test_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) into ``labels`` (N,), drawn per class with ``seed``.

    Each class gives :func:`held_out_counts` samples to the test part. The train indices are
    shuffled (classes interleaved, ready for mini-batches); the test indices are in data order.
    """
    counts = held_out_counts(labels, n_classes, test_fraction)
    rng = np.random.default_rng(seed)
    train, test = [], []
    for k in range(n_classes):
        members = rng.permutation(np.flatnonzero(labels == k))
        test.append(members[: counts[k]])
        train.append(members[counts[k] :])
    return rng.permutation(np.concatenate(train)), np.sort(np.concatenate(test))
