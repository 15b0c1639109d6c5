"""Random augmentation of image batches, per sample: shift, rotation and scale, mirroring, and
the light of another room (brightness, contrast, sensor noise).

Augmentation acts on photos: each sample of a batch u (N, S*S), read as an S x S image of grey
levels in [0, 255], gets its own transform drawn from the training run's generator, and the
transformed photos become the network's features through ``features`` (the preprocessing that
turns every photo into features; none: the transformed photos are the features). Changing the
photo, not its features, is what makes each change mean what it says whatever the scaling: a
darker photo is a darker photo, also where features are standardised per pixel or per photo.

In order, each drawn only when its setting is not 0 (so settings without it draw exactly what
they drew before):
- geometry: a rotation by up to ``rotation`` degrees either way, a scale in
  [1 - ``scale``, 1 + ``scale``] and a shift of up to ``shift`` * S pixels along each axis, all
  about the image centre. The new image samples the old one bilinearly at the inverse-transformed
  pixel centres; points outside are clamped to the nearest edge pixel, so the border repeats the
  photo's own background.
- mirroring (left to right: a hand signed with the other hand) with probability ``mirror``.
- blur (a shaky or unfocused camera): a Gaussian of standard deviation up to ``blur`` pixels,
  separable, its taps reaching three deviations, the border repeated.
- contrast: each photo's deviations from its own mean grey times a factor in
  [1 - ``contrast``, 1 + ``contrast``], then brightness: the photo times a factor in
  [1 - ``brightness``, 1 + ``brightness``] (the factors of Pillow's ImageEnhance, but clipped once,
  to [0, 255] at the end, as a camera saturates).
- sensor noise: Gaussian, standard deviation ``noise`` grey levels per pixel, clipped to [0, 255].

The draws are made on the host (like the weights: the same on every device) and applied with
array operations only: one gather of the four neighbours of every pixel for the geometry, no loop
over samples or pixels.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from signnet.nn.backend import namespace

Array = Any

# The brightest grey level: photometric changes clip to [0, WHITE].
WHITE = 255.0


@dataclasses.dataclass(frozen=True)
class Augmentation:
    """Largest shift (fraction of the image side), rotation (degrees) and scale change
    (fraction); the probability of mirroring; the largest blur (pixels); the largest brightness
    and contrast change (fractions) and the sensor noise (grey levels); all 0 is no
    augmentation. ``features`` maps transformed photos (N, S*S) to features (N, S*S), on the
    photos' device (None: identity)."""

    shift: float
    rotation: float
    scale: float
    mirror: float = 0.0
    blur: float = 0.0
    brightness: float = 0.0
    contrast: float = 0.0
    noise: float = 0.0
    features: Callable[[Array], Array] | None = dataclasses.field(default=None, compare=False)

    @property
    def active(self) -> bool:
        return any(
            (self.shift, self.rotation, self.scale, self.mirror, self.blur)
            + (self.brightness, self.contrast, self.noise)
        )

    def apply(self, u: Array, rng: np.random.Generator) -> Array:
        """The features of transformed copies of the photos u (N, S*S), one random transform per
        sample."""
        if self.shift or self.rotation or self.scale:
            u = self._affine(u, rng)
        if self.mirror:
            u = self._mirrored(u, rng)
        if self.blur:
            u = self._blurred(u, rng)
        if self.brightness or self.contrast:
            u = self._lit(u, rng)
        if self.noise:
            u = self._noisy(u, rng)
        return u if self.features is None else self.features(u)

    def _mirrored(self, u: Array, rng: np.random.Generator) -> Array:
        """u (N, S*S) with each sample mirrored left to right with probability ``mirror``."""
        xp = namespace(u)
        n, side = u.shape[0], math.isqrt(u.shape[1])
        flip = xp.asarray(np.reshape(rng.random(n) < self.mirror, (n, 1)))
        mirrored = xp.reshape(xp.flip(xp.reshape(u, (n, side, side)), axis=2), (n, side * side))
        return xp.where(flip, mirrored, u)

    def _blurred(self, u: Array, rng: np.random.Generator) -> Array:
        """u (N, S*S) blurred by a Gaussian of its own deviation in [0, ``blur``] pixels."""
        xp = namespace(u)
        n, side = u.shape[0], math.isqrt(u.shape[1])
        reach = math.ceil(3 * self.blur)
        sigma = rng.uniform(0.0, self.blur, n)
        offsets = np.arange(-reach, reach + 1)
        with np.errstate(divide="ignore", invalid="ignore"):  # sigma 0: all weight at offset 0
            taps = np.exp(-0.5 * (offsets[None, :] / sigma[:, None]) ** 2)
        taps = np.where(sigma[:, None] > 0, taps, offsets[None, :] == 0)
        taps = xp.asarray(taps / taps.sum(axis=1, keepdims=True), dtype=u.dtype)  # (N, taps)
        images = xp.reshape(u, (n, side, side))
        index = np.clip(np.arange(side)[None, :] + offsets[:, None], 0, side - 1)  # (taps, S)
        for axis in (1, 2):
            blurred = xp.zeros_like(images)
            for t in range(len(offsets)):
                weight = xp.reshape(taps[:, t], (n, 1, 1))
                blurred = blurred + weight * xp.take(images, xp.asarray(index[t]), axis=axis)
            images = blurred
        return xp.reshape(images, (n, side * side))

    def _lit(self, u: Array, rng: np.random.Generator) -> Array:
        """u (N, S*S) with each photo's contrast, then brightness, changed by its own factors."""
        xp = namespace(u)
        n = u.shape[0]

        def factors(amount: float) -> Array:  # (N, 1), 1 where the setting is off (no draw)
            if not amount:
                return xp.ones((n, 1), dtype=u.dtype)
            drawn = rng.uniform(1 - amount, 1 + amount, n)
            return xp.asarray(np.reshape(drawn, (n, 1)), dtype=u.dtype)

        contrast, brightness = factors(self.contrast), factors(self.brightness)
        mean = xp.mean(u, axis=1, keepdims=True)
        return xp.clip((mean + contrast * (u - mean)) * brightness, 0.0, WHITE)

    def _noisy(self, u: Array, rng: np.random.Generator) -> Array:
        """u (N, S*S) plus Gaussian noise of ``noise`` grey levels per pixel, clipped."""
        xp = namespace(u)
        noise = xp.asarray(rng.normal(0.0, self.noise, u.shape), dtype=u.dtype)
        return xp.clip(u + noise, 0.0, WHITE)

    def _affine(self, x: Array, rng: np.random.Generator) -> Array:
        """Photos x (N, S*S) shifted, rotated and scaled, one random transform per sample."""
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
