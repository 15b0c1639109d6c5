"""The split stage's work: stratified train and test parts, and the preprocessing fitted on the
training part.

A part is a dict of arrays: ``images`` uint8 (n, S, S), ``labels`` int64 (n,) (class indices),
``digits`` int64 (n,), ``files`` str (n,), ``classes`` int64 (K,), plus the split's settings
``test_fraction`` and ``seed`` (scalars). Parts keep the images, never scaled pixels: features
come from :meth:`~signnet.data.preprocessing.Preprocessing.features` where they are needed.
"""

from __future__ import annotations

import numpy as np

from signnet.data.preprocessing import Preprocessing
from signnet.data.stratify import StratifyError, stratified_indices
from signnet.params import ParamError

PART_ARRAYS = ("images", "labels", "digits", "files", "classes", "test_fraction", "seed")


def parts_at(
    dataset: dict[str, np.ndarray], train_idx: np.ndarray, test_idx: np.ndarray, scaling: str
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], Preprocessing]:
    """The (train, test) parts of ``dataset`` at the given indices, and the preprocessing
    ``scaling`` fitted on the training part alone (each cross-validation fold calls this too)."""
    parts = tuple(
        {name: dataset[name][idx] for name in ("images", "labels", "digits", "files")}
        | {"classes": dataset["classes"]}
        for idx in (train_idx, test_idx)
    )
    return parts[0], parts[1], Preprocessing.fit(parts[0]["images"], scaling)


def split_dataset(
    dataset: dict[str, np.ndarray], test_fraction: float, scaling: str, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], Preprocessing]:
    """The stratified, seeded (train, test) parts of a filtered ``dataset`` and their
    preprocessing (see :func:`parts_at`); each part records ``test_fraction`` and ``seed``."""
    try:
        train_idx, test_idx = stratified_indices(
            dataset["labels"], dataset["classes"], test_fraction, seed
        )
    except StratifyError as error:
        raise ParamError(
            [("split.test_fraction", test_fraction, f"does not fit: {error}")]
        ) from None
    train, test, preprocessing = parts_at(dataset, train_idx, test_idx, scaling)
    settings = {"test_fraction": np.array(test_fraction), "seed": np.array(seed)}
    return {**train, **settings}, {**test, **settings}, preprocessing
