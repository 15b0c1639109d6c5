"""What the training photos looked like, so that a new photo unlike them is said to be.

A :class:`PhotoRange` holds the lowest and highest brightness (the mean of a photo's pixels) and
contrast (their standard deviation) of the training photos, as the network sees them (grey,
uint8, S x S) and as training changed their light. The train stage fits it and the model file
stores it; ``signnet predict`` and ``signnet explain`` ask :meth:`PhotoRange.unusual` of each
photo and say on stderr what lies outside, rather than give a confident answer in silence. A
photo inside both ranges may still be unlike the training photos in ways these two figures
cannot see (the other hand, another background).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from signnet.errors import SignnetError

# The figures it keeps: name -> how a photo's uint8 pixels (S, S) give it.
FIGURES = {
    "brightness": lambda pixels: float(pixels.mean()),
    "contrast": lambda pixels: float(pixels.std()),
}


# The largest standard deviation of pixels in [0, 255]: half black, half white.
MAX_CONTRAST = 127.5


class PhotoRangeError(SignnetError):
    """A stored range that is not one."""


@dataclasses.dataclass(frozen=True)
class PhotoRange:
    """The training photos' lowest and highest ``brightness`` and ``contrast``, each a pair
    (low, high) of pixel values from 0 to 255."""

    brightness: tuple[float, float]
    contrast: tuple[float, float]

    @classmethod
    def fit(cls, images: np.ndarray, brightness: float = 0.0, contrast: float = 0.0) -> PhotoRange:
        """The range of uint8 training photos (N, S, S) as training saw them: with its light
        jitter, each photo's brightness times a factor within 1 +- ``brightness`` and its
        deviations from its mean within 1 +- ``contrast`` (see :mod:`signnet.nn.augment`), the
        bounds widen by those factors (capped at 255 and :data:`MAX_CONTRAST`)."""
        pairs = {}
        for name, figure in FIGURES.items():
            values = [figure(image) for image in images]
            pairs[name] = (min(values), max(values))
        low, high = pairs["brightness"]
        pairs["brightness"] = (low * (1 - brightness), min(255.0, high * (1 + brightness)))
        low, high = pairs["contrast"]
        both = (1 - brightness) * (1 - contrast), (1 + brightness) * (1 + contrast)
        pairs["contrast"] = (low * both[0], min(MAX_CONTRAST, high * both[1]))
        return cls(**pairs)

    def unusual(self, pixels: np.ndarray) -> list[str]:
        """What of a photo's uint8 pixels (S, S) lies outside the range, in words (none: [])."""
        found = []
        for name, figure in FIGURES.items():
            value, (low, high) = figure(pixels), getattr(self, name)
            if not low <= value <= high:
                side = "below" if value < low else "above"
                found.append(
                    f"its {name} {value:.1f} is {side} the training photos' {low:.1f} to "
                    f"{high:.1f} (of 255)"
                )
        return found

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The range as named float64 (2,) arrays, for an ``.npz`` (see :meth:`from_arrays`)."""
        return {name: np.array(getattr(self, name), dtype=np.float64) for name in FIGURES}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], where: str) -> PhotoRange:
        """The range stored by :meth:`to_arrays`; errors name ``where`` it was read from."""
        pairs = {}
        for name in FIGURES:
            array = arrays.get(name)
            if array is None or array.dtype != np.float64 or array.shape != (2,):
                raise PhotoRangeError(
                    f"{where}: the training photos' {name} range is "
                    f"{'missing' if array is None else f'{array.dtype} {array.shape}'}; "
                    "expected float64 (2,)"
                )
            low, high = (float(v) for v in array)
            if not 0 <= low <= high <= 255:
                raise PhotoRangeError(
                    f"{where}: the training photos' {name} range {low} to {high} is not a range "
                    "of pixel values (0 <= low <= high <= 255)"
                )
            pairs[name] = (low, high)
        return cls(**pairs)
