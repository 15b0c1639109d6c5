"""Scaling pixels and the stratified, seeded train/test split.

Scaling maps uint8 pixels to features ``x = (pixel - offset) / scale``, one offset and scale per
pixel, shapes (S*S,). ``unit`` uses offset 0 and scale 255, giving [0, 1]; ``standardize`` uses
the mean and standard deviation of each pixel over the training part only (a constant pixel gets
scale 1), so nothing about the test photos leaks into training.
"""

from __future__ import annotations

import numpy as np

from signnet.errors import SignnetError


class SplitError(SignnetError):
    """A split that the data cannot support."""


def held_out_counts(labels: np.ndarray, n_classes: int, test_fraction: float) -> np.ndarray:
    """Test samples per class, (K,): ``round(test_fraction * class size)`` for each class.

    Raises :class:`SplitError` when a class would have no test or no training sample.
    """
    sizes = np.bincount(labels, minlength=n_classes)
    counts = np.round(sizes * test_fraction).astype(np.int64)
    for k in range(n_classes):
        if counts[k] == 0 or counts[k] == sizes[k]:
            side = "test" if counts[k] == 0 else "training"
            raise SplitError(
                f"split.test_fraction = {test_fraction}: class {k} has {sizes[k]} sample(s), "
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


def fit_scaling(train_images: np.ndarray, method: str) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel (offset, scale), each float64 (S*S,), fitted on ``train_images`` (N, S, S)."""
    pixels = train_images.reshape(len(train_images), -1).astype(np.float64)
    if method == "unit":
        return np.zeros(pixels.shape[1]), np.full(pixels.shape[1], 255.0)
    if method == "standardize":
        std = pixels.std(axis=0)
        return pixels.mean(axis=0), np.where(std > 0, std, 1.0)
    raise ValueError(f"split.scaling = {method!r} is not allowed: one of unit, standardize")


def scale(images: np.ndarray, offset: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Features float64 (N, S*S) of uint8 ``images`` (N, S, S)."""
    return (images.reshape(len(images), -1).astype(np.float64) - offset) / scale


def scaled_parts(
    dataset: dict[str, np.ndarray], train_idx: np.ndarray, test_idx: np.ndarray, scaling: str
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The (train, test) parts at the given indices, scaled with training-part statistics.

    Each part holds ``x`` float64 (n, S*S), ``labels`` (n,), ``digits`` (n,), ``files`` (n,),
    ``images`` uint8 (n, S, S), and the shared ``classes`` (K,), ``offset`` and ``scale`` (S*S,).
    """
    offset, factor = fit_scaling(dataset["images"][train_idx], scaling)
    parts = []
    for idx in (train_idx, test_idx):
        images = dataset["images"][idx]
        parts.append(
            {
                "x": scale(images, offset, factor),
                "labels": dataset["labels"][idx],
                "digits": dataset["digits"][idx],
                "files": dataset["files"][idx],
                "images": images,
                "classes": dataset["classes"],
                "offset": offset,
                "scale": factor,
            }
        )
    return parts[0], parts[1]


def split_dataset(
    dataset: dict[str, np.ndarray], test_fraction: float, scaling: str, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The stratified (train, test) parts of a filtered ``dataset`` (see :func:`scaled_parts`),
    each also recording the settings that made it: ``scaling`` (method name), ``test_fraction``
    and ``seed``.
    """
    n_classes = len(dataset["classes"])
    train_idx, test_idx = stratified_indices(dataset["labels"], n_classes, test_fraction, seed)
    settings = {
        "scaling": np.array(scaling),
        "test_fraction": np.array(test_fraction),
        "seed": np.array(seed),
    }
    train, test = scaled_parts(dataset, train_idx, test_idx, scaling)
    return {**train, **settings}, {**test, **settings}
