"""Reading a file in the course format the reference reports used.

The course copy is an ``.npz`` holding ``dataset``, N x D pixel rows of square grayscale images
(D = 784 for 28 x 28), and ``labels``, N digits stored as integers or as strings such as
``"6"``. Pixels may be integers in 0..255 or floats in [0, 1] (scaled back to 0..255). Images of
another size than ``image_size`` are resized exactly as photos are.
"""

from __future__ import annotations

import hashlib
import math
from pathlib import Path

import numpy as np

from signnet.artifacts import ArtifactError, load_npz
from signnet.data.archive import ArchiveError
from signnet.data.images import resize_all
from signnet.errors import shown
from signnet.files import GIB, MIB, open_user_file

COURSE_FILE = "a course-format .npz (arrays dataset and labels)"
# The largest course file read: 70,000 images of 28 x 28 in float64 are 440 MB.
MAX_COURSE_BYTES = 2 * GIB


def _digits(path: Path, labels: np.ndarray, n: int) -> np.ndarray:
    if labels.ndim != 1 or labels.shape[0] != n:
        raise ArchiveError(f"{path}: labels has shape {labels.shape}; expected ({n},)")
    if labels.dtype.kind in "US":
        text = np.char.strip(labels.astype(str))
        bad = [t for t in text if len(t) != 1 or t not in "0123456789"]  # "²" is isdigit()
        if bad:
            raise ArchiveError(f"{path}: label {shown(str(bad[0]))} is not a digit 0..9")
        return text.astype(np.int64)
    if labels.dtype.kind not in "iu" and not (
        labels.dtype.kind == "f" and np.all(labels == np.round(labels))
    ):
        raise ArchiveError(f"{path}: labels have dtype {labels.dtype}; expected ints or strings")
    digits = labels.astype(np.int64)
    outside = digits[(digits < 0) | (digits > 9)]
    if outside.size:
        raise ArchiveError(f"{path}: label {outside[0]} is outside the digits 0..9")
    return digits


def _pixels(path: Path, dataset: np.ndarray) -> np.ndarray:
    if dataset.dtype.kind not in "iuf":
        raise ArchiveError(f"{path}: dataset has dtype {dataset.dtype}; expected numbers")
    bad = np.flatnonzero(~np.isfinite(dataset)) if dataset.dtype.kind == "f" else []
    if len(bad):
        image, pixel = divmod(int(bad[0]), dataset.shape[1])
        raise ArchiveError(
            f"{path}: {len(bad)} pixel value(s) are NaN or infinite, the first in image {image} "
            f"(pixel {pixel}); every pixel must be a number in 0..255 or [0, 1]"
        )
    low, high = float(dataset.min()), float(dataset.max())
    if dataset.dtype.kind == "f" and high <= 1.0 and low >= 0.0:
        dataset = dataset * 255.0
    elif low < 0 or high > 255:
        raise ArchiveError(
            f"{path}: pixel values span [{low}, {high}]; expected 0..255 or floats in [0, 1]"
        )
    return np.round(dataset).astype(np.uint8)


def read_course_file(path: Path, image_size: int) -> dict[str, np.ndarray]:
    """Images uint8 (N, image_size, image_size), digits int64 (N,), files str (N,)."""
    try:
        arrays = load_npz(path, ("dataset", "labels"), COURSE_FILE, MAX_COURSE_BYTES)
    except ArtifactError as error:
        raise ArchiveError(str(error)) from None
    dataset = arrays["dataset"]
    if dataset.ndim != 2 or dataset.shape[0] == 0:
        raise ArchiveError(f"{path}: dataset has shape {dataset.shape}; expected (N, side*side)")
    n, width = dataset.shape
    side = math.isqrt(width)
    if side * side != width:
        raise ArchiveError(f"{path}: rows of {width} pixels are not square images")
    digits = _digits(path, arrays["labels"], n)
    pixels = resize_all(_pixels(path, dataset).reshape(n, side, side), image_size)
    files = np.array([f"{path.name}#{i}" for i in range(n)])
    return {"images": pixels, "digits": digits, "files": files}


def sha256_of(path: Path) -> str:
    """The sha256 of the course file at ``path``."""
    digest = hashlib.sha256()
    with open_user_file(path, COURSE_FILE, MAX_COURSE_BYTES) as file:
        for block in iter(lambda: file.read(MIB), b""):
            digest.update(block)
    return digest.hexdigest()
