"""Random augmentation of image batches, per sample: shift, rotation and scale, and mirroring.

Each sample of a batch x (N, S*S), read as an S x S image, gets its own transform drawn from the
training run's generator: a rotation by up to ``rotation`` degrees either way, a scale in
[1 - ``scale``, 1 + ``scale``] and a shift of up to ``shift`` * S pixels along each axis, all
about the image centre. The new image samples the old one bilinearly at the inverse-transformed
pixel centres; points outside are clamped to the nearest edge pixel, so whatever the pixel
scaling, the border repeats the photo's own background. The transforms are drawn on the host
(like the weights: the same on every device) and applied with array operations only: one
gather of the four neighbours of every pixel, no loop over samples or pixels.

Mirroring (left to right: a hand signed with the other hand) flips each sample with probability
``mirror``. Features are often scaled per pixel, ``x = (u - offset) / scale`` (see
:mod:`signnet.data.preprocessing`), and pixel j's statistics are not those of its mirror image:
given ``offset`` and ``scale`` (S*S,), a flip maps x back to u, flips u, and scales it again, so a
mirrored sample is exactly the features of the mirrored photo. Without them the features
themselves are flipped. A generator draws for mirroring only when ``mirror`` > 0, so settings
without it draw exactly what they drew before.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from signnet.nn.backend import namespace

Array = Any


@dataclasses.dataclass(frozen=True)
class Augmentation:
    """Largest shift (fraction of the image side), rotation (degrees) and scale change
    (fraction), the probability of mirroring, and the features' per-pixel ``offset`` and
    ``scale`` (float64 (S*S,), or None: mirror the features as they are); all 0 is no
    augmentation."""

    shift: float
    rotation: float
    scale: float
    mirror: float = 0.0
    offset: np.ndarray | None = dataclasses.field(default=None, compare=False)
    pixel_scale: np.ndarray | None = dataclasses.field(default=None, compare=False)

    @property
    def active(self) -> bool:
        return bool(self.shift or self.rotation or self.scale or self.mirror)

    def apply(self, x: Array, rng: np.random.Generator) -> Array:
        """Transformed copies of the images x (N, S*S), one random transform per sample."""
        if self.shift or self.rotation or self.scale:
            x = self._affine(x, rng)
        return self._mirrored(x, rng) if self.mirror else x

    def _mirrored(self, x: Array, rng: np.random.Generator) -> Array:
        """x (N, S*S) with each sample mirrored left to right with probability ``mirror``."""
        xp = namespace(x)
        n, side = x.shape[0], math.isqrt(x.shape[1])
        flip = xp.asarray(np.reshape(rng.random(n) < self.mirror, (n, 1)))
        if self.offset is None:
            u = x
        else:
            offset = xp.asarray(self.offset, dtype=x.dtype)
            scale = xp.asarray(self.pixel_scale, dtype=x.dtype)
            u = x * scale + offset
        mirrored = xp.reshape(xp.flip(xp.reshape(u, (n, side, side)), axis=2), (n, side * side))
        if self.offset is not None:
            mirrored = (mirrored - offset) / scale
        return xp.where(flip, mirrored, x)

    def _affine(self, x: Array, rng: np.random.Generator) -> Array:
        """x (N, S*S) shifted, rotated and scaled, one random transform per sample."""
        xp = namespace(x)
        n, side = x.shape[0], math.isqrt(x.shape[1])
        angle = np.deg2rad(rng.uniform(-self.rotation, self.rotation, n))
        zoom = rng.uniform(1 - self.scale, 1 + self.scale, n)
        shift = rng.uniform(-self.shift, self.shift, (2, n)) * side
        # Inverse map, output pixel (row, col) -> source point, per sample: (N, 1, 1) factors.
        cos, sin = (
            xp.asarray(np.reshape(f(angle) / zoom, (n, 1, 1)), dtype=x.dtype)
            for f in (np.cos, np.sin)
        )
        dy, dx = (xp.asarray(np.reshape(s, (n, 1, 1)), dtype=x.dtype) for s in shift)
        centre = (side - 1) / 2
        grid = xp.astype(xp.arange(side), x.dtype) - centre
        rows, cols = xp.reshape(grid, (1, side, 1)) - dy, xp.reshape(grid, (1, 1, side)) - dx
        src_rows = cos * rows + sin * cols + centre  # (N, S, S)
        src_cols = cos * cols - sin * rows + centre
        flat = xp.reshape(x, (-1,))
        base = xp.reshape(xp.arange(n) * side * side, (n, 1, 1))
        top, left = xp.floor(src_rows), xp.floor(src_cols)
        fy, fx = src_rows - top, src_cols - left  # bilinear weights, (N, S, S)

        def clamped(v: Array) -> Array:  # index of the nearest pixel inside the image
            return xp.astype(xp.clip(v, 0, side - 1), xp.int64)

        row0, row1 = base + clamped(top) * side, base + clamped(top + 1) * side  # (N, S, S)
        col0, col1 = clamped(left), clamped(left + 1)

        def pixel(row: Array, col: Array) -> Array:
            return xp.take(flat, xp.reshape(row + col, (-1,)))

        out = (
            pixel(row0, col0) * xp.reshape((1 - fy) * (1 - fx), (-1,))
            + pixel(row0, col1) * xp.reshape((1 - fy) * fx, (-1,))
            + pixel(row1, col0) * xp.reshape(fy * (1 - fx), (-1,))
            + pixel(row1, col1) * xp.reshape(fy * fx, (-1,))
        )
        return xp.reshape(out, (n, side * side))
