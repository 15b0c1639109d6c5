"""The one preprocessing of images: uint8 photos (N, S, S) to network features (N, S*S).

A :class:`Preprocessing` holds the image side S and the per-pixel scaling
``x = (pixel - offset) / scale`` (offset and scale float64, shape (S*S,)). It is fitted once, on
a training part only, so nothing about the test photos leaks into training; then training,
evaluation, ``signnet predict`` and every later consumer turn images into features through
:meth:`Preprocessing.features`, and the model file stores the object. There is no second formula.

:data:`SCALINGS` maps each scaling method to its fit: ``unit`` divides by 255 into [0, 1];
``standardize`` uses each pixel's mean and standard deviation over the training images (a pixel
that is constant there gets scale 1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np

from signnet.errors import SignnetError


class PreprocessingError(SignnetError):
    """Images or stored statistics that do not fit the preprocessing."""


def _unit(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(pixels.shape[1]), np.full(pixels.shape[1], 255.0)


def _standardize(pixels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    std = pixels.std(axis=0)
    return pixels.mean(axis=0), np.where(std > 0, std, 1.0)


# Scaling methods by name: float64 pixels (N, S*S) -> (offset, scale), each float64 (S*S,).
SCALINGS: dict[str, Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]] = {
    "unit": _unit,
    "standardize": _standardize,
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
        offset, scale = SCALINGS[scaling](_flat(images).astype(np.float64))
        return cls(scaling, images.shape[1], offset, scale)

    def features(self, images: np.ndarray) -> np.ndarray:
        """Features float64 (N, S*S) of uint8 ``images`` (N, S, S)."""
        if images.ndim != 3 or images.shape[1:] != (self.image_size, self.image_size):
            raise PreprocessingError(
                f"images of shape {images.shape}; this preprocessing takes (N, "
                f"{self.image_size}, {self.image_size}): decode them at that size"
            )
        return (_flat(images).astype(np.float64) - self.offset) / self.scale

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
