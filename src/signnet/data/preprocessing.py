"""The one preprocessing of images: uint8 photos (N, S, S) to network features (N, S*S).

A :class:`Preprocessing` holds the image side S and the per-pixel scaling
``x = (pixel - offset) / scale`` (offset and scale float64, shape (S*S,)). It is fitted once, on
a training part only, so nothing about the test photos leaks into training; then training,
evaluation, ``signnet predict`` and every later consumer turn images into features through
:meth:`Preprocessing.features`, and the model file stores the object. There is no second formula.

:data:`SCALINGS` maps each scaling method to its :class:`Scaling`: ``unit`` divides by 255 into
[0, 1]; ``standardize`` uses each pixel's mean and standard deviation over the training images
(a pixel that is constant there gets scale 1); ``photo`` first standardises each photo by its own
mean and standard deviation (so that a photo's brightness and contrast do not matter: a darker
or flatter copy of a photo gives the same features), then each pixel as ``standardize`` does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from signnet.errors import SignnetError
from signnet.nn.backend import namespace

Array = Any


class PreprocessingError(SignnetError):
    """Images or stored statistics that do not fit the preprocessing."""


def _unit(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(pixels.shape[1]), np.full(pixels.shape[1], 255.0)


def _standardize(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    std = pixels.std(axis=0)
    return pixels.mean(axis=0), np.where(std > 0, std, 1.0)


def per_photo(pixels: Array) -> Array:
    """Each row of float64 ``pixels`` (N, S*S), one photo, less its mean and divided by its
    standard deviation, or by one grey level where it has less (a nearly flat photo's noise is
    not blown up to full contrast): brightness and contrast taken out. On any array library."""
    xp = namespace(pixels)
    mean = xp.mean(pixels, axis=1, keepdims=True)
    return (pixels - mean) / xp.clip(xp.std(pixels, axis=1, keepdims=True), 1.0, None)


@dataclasses.dataclass(frozen=True)
class Scaling:
    """A pixel scaling: ``fit``, float64 training pixels (N, S*S) -> (offset, scale) each
    float64 (S*S,); ``photo_first``, whether each photo is first standardised on its own
    (:func:`per_photo`); and how the report says it: ``text`` (what it does, to follow "then"),
    ``short`` (a table cell) and ``unit`` (one unit of the network's input)."""

    fit: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]
    photo_first: bool
    text: str
    short: str
    unit: str


# Scaling methods by name.
SCALINGS: dict[str, Scaling] = {
    "unit": Scaling(
        _unit,
        False,
        "pixel values are divided by 255 into [0, 1]",
        "divide by 255",
        "a unit of the pixel divided by 255",
    ),
    "standardize": Scaling(
        _standardize,
        False,
        "each pixel is standardised to zero mean and unit variance with that pixel's mean and "
        "standard deviation over the training part only (a constant pixel keeps scale 1)",
        "standardise per pixel",
        "a standard deviation of the pixel",
    ),
    "photo": Scaling(
        _standardize,
        True,
        "each photo is standardised by its own mean and standard deviation (so that its "
        "brightness and contrast do not matter), then each pixel to zero mean and unit variance "
        "with that pixel's statistics over the training part only",
        "standardise per photo, then per pixel",
        "a standard deviation of the pixel, each photo standardised first",
    ),
}


# The largest image side any stage decodes to (download.image_size's upper bound).
MAX_IMAGE_SIDE = 256


@dataclasses.dataclass(frozen=True, eq=False)
class Preprocessing:
    """Image side ``image_size`` (S) and the ``scaling`` method's fitted offset and scale."""

    scaling: str
    image_size: int
    offset: np.ndarray  # float64 (S*S,)
    scale: np.ndarray  # float64 (S*S,), no zeros

    @classmethod
    def fit(cls, images: np.ndarray, scaling: str) -> Preprocessing:
        """Fit ``scaling`` (a name in :data:`SCALINGS`) on training images uint8 (N, S, S)."""
        if scaling not in SCALINGS:
            raise PreprocessingError(f"scaling {scaling!r} is not one of {', '.join(SCALINGS)}")
        pixels = _flat(images).astype(np.float64)
        offset, scale = SCALINGS[scaling].fit(cls._pixels(pixels, scaling))
        return cls(scaling, images.shape[1], offset, scale)

    @staticmethod
    def _pixels(pixels: Array, scaling: str) -> Array:
        """float64 ``pixels`` (N, S*S), each photo standardised first where ``scaling`` says
        so."""
        return per_photo(pixels) if SCALINGS[scaling].photo_first else pixels

    def features(self, images: np.ndarray) -> np.ndarray:
        """Features float64 (N, S*S) of uint8 ``images`` (N, S, S)."""
        if images.ndim != 3 or images.shape[1:] != (self.image_size, self.image_size):
            raise PreprocessingError(
                f"images of shape {images.shape}; this preprocessing takes (N, "
                f"{self.image_size}, {self.image_size}): decode them at that size"
            )
        return self.features_of(_flat(images).astype(np.float64))

    def features_of(self, pixels: Array) -> Array:
        """Features float64 (N, S*S) of float64 ``pixels`` (N, S*S), grey levels in [0, 255],
        on any array library (an augmented training batch on the device)."""
        xp = namespace(pixels)
        offset, scale = (xp.asarray(a, dtype=pixels.dtype) for a in (self.offset, self.scale))
        return (self._pixels(pixels, self.scaling) - offset) / scale

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The object as named arrays, for an ``.npz`` (see :meth:`from_arrays`)."""
        return {
            "scaling": np.array(self.scaling),
            "image_size": np.array(self.image_size, dtype=np.int64),
            "offset": self.offset,
            "scale": self.scale,
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], where: str) -> Preprocessing:
        """The object stored by :meth:`to_arrays`; errors name ``where`` it was read from."""
        names = ("scaling", "image_size", "offset", "scale")
        missing = [name for name in names if name not in arrays]
        if missing:
            raise PreprocessingError(f"{where}: lacks preprocessing array(s) {', '.join(missing)}")
        scaling, size = arrays["scaling"], arrays["image_size"]
        if scaling.shape != () or str(scaling) not in SCALINGS:
            raise PreprocessingError(
                f"{where}: preprocessing scaling {scaling!r} is not one of {', '.join(SCALINGS)}"
            )
        if size.shape != () or size.dtype.kind not in "iu" or not 1 <= int(size) <= MAX_IMAGE_SIDE:
            raise PreprocessingError(
                f"{where}: preprocessing image_size {size!r} is not an integer from 1 to "
                f"{MAX_IMAGE_SIDE}"
            )
        side = int(size)
        for name in ("offset", "scale"):
            array = arrays[name]
            if array.dtype != np.float64 or array.shape != (side * side,):
                raise PreprocessingError(
                    f"{where}: preprocessing {name} is {array.dtype} {array.shape}; expected "
                    f"float64 ({side * side},) for {side} x {side} images"
                )
            if not np.all(np.isfinite(array)):
                raise PreprocessingError(f"{where}: preprocessing {name} holds NaN or infinity")
        if not np.all(arrays["scale"]):
            raise PreprocessingError(f"{where}: preprocessing scale holds a zero")
        return cls(str(scaling), side, arrays["offset"], arrays["scale"])


def _flat(images: np.ndarray) -> np.ndarray:
    return images.reshape(len(images), -1)
