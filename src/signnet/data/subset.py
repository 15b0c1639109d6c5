"""Keeping the classes the experiment is about."""

from __future__ import annotations

import numpy as np

from signnet.errors import SignnetError


class ClassError(SignnetError):
    """A requested class that the data cannot provide."""


def select_classes(dataset: dict[str, np.ndarray], classes: list[int]) -> dict[str, np.ndarray]:
    """The samples whose digit is in ``classes``, in their original order.

    ``dataset`` holds ``images`` (N, S, S), ``digits`` (N,) and ``files`` (N,). The result adds
    ``labels`` int64 (M,), the class index = position of the digit in ``classes``, and
    ``classes`` int64 (K,), the digits in that order.
    """
    digits = dataset["digits"]
    absent = [d for d in classes if not np.any(digits == d)]
    if absent:
        raise ClassError(f"filter.classes = {classes}: the data has no photo of digit(s) {absent}")
    keep = np.isin(digits, classes)
    index_of = np.full(10, -1, dtype=np.int64)
    index_of[classes] = np.arange(len(classes))
    return {
        "images": dataset["images"][keep],
        "digits": digits[keep],
        "labels": index_of[digits[keep]],
        "files": dataset["files"][keep],
        "classes": np.array(classes, dtype=np.int64),
    }
