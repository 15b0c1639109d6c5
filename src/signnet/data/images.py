"""Decoding photos to the square grayscale images the network sees.

One function decodes every photo, in the pipeline and in ``signnet predict`` alike: the camera's
EXIF orientation is applied (three originals in the dataset are stored rotated), colour becomes
8-bit grayscale (ITU-R 601-2 luma), and the centred largest square is resized to ``size`` x
``size`` with a Lanczos filter. Square photos are simply resized.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from signnet.data.archive import ArchiveError
from signnet.errors import SignnetError


class ImageError(SignnetError):
    """A photo that cannot be read or decoded."""


_DATASET_PHOTO = re.compile(r"^Dataset/(\d)/[^/]+\.jpe?g$", re.IGNORECASE)


def to_square_gray(image: Image.Image, size: int) -> np.ndarray:
    """``image`` as uint8 array (size, size): oriented, grayscale, centre-cropped, resized."""
    image = ImageOps.exif_transpose(image).convert("L")
    square = ImageOps.fit(image, (size, size), method=Image.Resampling.LANCZOS)
    return np.asarray(square, dtype=np.uint8)


def decode_photo(data: bytes, size: int, name: str) -> np.ndarray:
    """Decode the encoded photo ``data`` (any format Pillow reads) to uint8 (size, size)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return to_square_gray(image, size)
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ImageError(f"{name}: not a readable image ({error})") from None


def read_photo(path: Path, size: int) -> np.ndarray:
    """Decode the photo file at ``path`` to uint8 (size, size)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise ImageError(f"{path}: cannot read ({error.strerror})") from None
    return decode_photo(data, size, str(path))


def decode_dataset(files: dict[str, bytes], size: int) -> dict[str, np.ndarray]:
    """Decode every ``Dataset/<digit>/*.JPG`` of ``files`` in path order.

    Returns ``images`` uint8 (N, size, size), ``digits`` int64 (N,) and ``files`` str (N,).
    """
    photos = sorted(p for p in files if _DATASET_PHOTO.match(p))
    if not photos:
        raise ArchiveError("the source holds no Dataset/<digit>/*.JPG photos")
    images = np.stack([decode_photo(files[p], size, p) for p in photos])
    digits = np.array([int(_DATASET_PHOTO.match(p).group(1)) for p in photos], dtype=np.int64)
    return {"images": images, "digits": digits, "files": np.array(photos)}
