"""Weight initialisers: each one object with its draw and its description; :data:`INITIALISERS`
is the one table of them. Weights are drawn on the host in float64 (then cast and moved), so
every device and dtype starts from the same numbers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np


@dataclasses.dataclass(frozen=True)
class Initialiser:
    """``draw(rng, fan_in, fan_out, scale)`` gives a float64 (fan_in, fan_out) matrix;
    ``display`` describes it in prose (``{scale}`` is the ``scale`` it was given); ``citation``
    names the paper it comes from (a key of the report's references), if any."""

    name: str
    display: str
    draw: Callable[[np.random.Generator, int, int, float], np.ndarray]
    citation: str | None


def _xavier(rng: np.random.Generator, fan_in: int, fan_out: int, scale: float) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def _he(rng: np.random.Generator, fan_in: int, fan_out: int, scale: float) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def _normal(rng: np.random.Generator, fan_in: int, fan_out: int, scale: float) -> np.ndarray:
    return rng.normal(0.0, scale, size=(fan_in, fan_out))


XAVIER = Initialiser(
    "xavier",
    "Xavier/Glorot uniform weights (Glorot and Bengio, 2010)",  # on +-sqrt(6 / (in + out))
    _xavier,
    "Glorot 2010",
)
HE = Initialiser(
    "he",
    "He normal weights (He et al., 2015)",
    _he,
    "He 2015",  # std sqrt(2 / fan_in), for relu
)
NORMAL = Initialiser(
    # the "small random values" of the reference reports
    "normal",
    "normal weights with standard deviation {scale:g}",
    _normal,
    None,
)

INITIALISERS: dict[str, Initialiser] = {i.name: i for i in (XAVIER, HE, NORMAL)}
