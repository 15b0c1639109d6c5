"""How a person's own photo differs from the dataset's: other light, the other hand, a shaky
camera, a tilted phone, sensor noise, a messenger's recompression.

:data:`CHANGES` is the one place that defines each change and its strength; the robustness
measurement, the tests and the docs take them from here. A change acts on the photo as decoded,
turned upright and made grey as ``signnet predict`` makes it (transparency over white, wide grey
scaled), at its own size, before it is cropped square and resized (:func:`decode_changed`).
Changes that draw random numbers (noise) draw them from the generator they are given, so a
seeded measurement is the same on every run.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageEnhance, ImageFilter, ImageOps

from signnet.data.images import decode_photo

# JPEG quality of the recompression, as a messenger app sends a photo.
RECOMPRESSION_QUALITY = 20
# Sensor noise: the standard deviation of the Gaussian noise added to each grey pixel, of 255.
NOISE_SIGMA = 12.0


@dataclasses.dataclass(frozen=True)
class Change:
    """A change of an upright grey photo (mode ``L``): ``name`` for tables, ``strength`` saying
    how much in words, ``apply(image, rng)`` the changed copy (the same size and mode)."""

    name: str
    strength: str
    apply: Callable[[Image.Image, np.random.Generator], Image.Image]


def _border_colour(image: Image.Image) -> int:
    """The median grey of the photo's outermost pixels: what a rotation uncovers is filled with
    it, as a background that continues."""
    pixels = np.asarray(image)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    return int(np.median(border))


def _noisy(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    pixels = np.asarray(image, dtype=np.float64)
    noisy = pixels + rng.normal(0.0, NOISE_SIGMA, pixels.shape)
    return Image.fromarray(np.clip(np.rint(noisy), 0, 255).astype(np.uint8), "L")


def _recompressed(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=RECOMPRESSION_QUALITY)
    with Image.open(io.BytesIO(buffer.getvalue())) as decoded:
        return decoded.convert("L")


AS_TAKEN = Change("as taken", "none", lambda image, rng: image)
CHANGES: tuple[Change, ...] = (
    AS_TAKEN,
    Change("darker", "brightness x 0.6", lambda i, rng: ImageEnhance.Brightness(i).enhance(0.6)),
    Change("brighter", "brightness x 1.4", lambda i, rng: ImageEnhance.Brightness(i).enhance(1.4)),
    Change(
        "lower contrast", "contrast x 0.5", lambda i, rng: ImageEnhance.Contrast(i).enhance(0.5)
    ),
    Change("mirrored", "left-right flip", lambda image, rng: ImageOps.mirror(image)),
    Change(
        "blurred",
        "Gaussian, sigma 1.5 px",
        lambda image, rng: image.filter(ImageFilter.GaussianBlur(1.5)),
    ),
    Change(
        "rotated",
        "15 degrees anticlockwise",
        lambda image, rng: image.rotate(
            15, resample=Image.Resampling.BICUBIC, fillcolor=_border_colour(image)
        ),
    ),
    Change("noisy", f"Gaussian, sigma {NOISE_SIGMA:g} grey levels", _noisy),
    Change("compressed", f"JPEG quality {RECOMPRESSION_QUALITY}", _recompressed),
)


def decode_changed(
    data: bytes, size: int, name: str, change: Change, rng: np.random.Generator
) -> np.ndarray:
    """The encoded photo ``data`` with ``change`` applied, as the network sees it: uint8
    (size, size), decoded (and refused, with its message) as
    :func:`signnet.data.images.decode_photo` decodes it."""
    edit = None if change is AS_TAKEN else (lambda grey: change.apply(grey, rng))
    return decode_photo(data, size, name, edit)
