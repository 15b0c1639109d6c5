"""Layers with ``forward`` / ``backward`` over parameter and gradient dicts.

Conventions: a batch is a 2-D array (batch, features) or, for images, a 4-D array
(batch, height, width, channels), channels last. A layer's trainable state lives in ``params``
(name -> array) and the matching ``grads`` (same names and shapes), so one optimizer can update
every layer without knowing what it is. ``forward(x, rng)`` keeps what ``backward`` needs;
``rng`` is the training run's NumPy generator while training and None at inference, and only
stochastic layers (dropout) draw from it. ``backward(grad_out)`` fills ``grads`` and returns the
gradient with respect to the input.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from signnet.nn.activations import ACTIVATIONS, BACKWARD
from signnet.nn.backend import namespace

Array = Any


def xavier(rng: np.random.Generator, fan_in: int, fan_out: int, scale: float) -> np.ndarray:
    """Uniform on +-sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010); ``scale`` unused."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def he(rng: np.random.Generator, fan_in: int, fan_out: int, scale: float) -> np.ndarray:
    """Normal with std sqrt(2 / fan_in) (He et al., 2015), for relu; ``scale`` unused."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def normal(rng: np.random.Generator, fan_in: int, fan_out: int, scale: float) -> np.ndarray:
    """Normal with std ``scale``: the "small random values" of the reference reports."""
    return rng.normal(0.0, scale, size=(fan_in, fan_out))


# Weight initialisers by name: (rng, fan_in, fan_out, scale) -> host float64 (fan_in, fan_out).
INITIALISERS: dict[str, Callable[[np.random.Generator, int, int, float], np.ndarray]] = {
    "xavier": xavier,
    "he": he,
    "normal": normal,
}


class Dense:
    """``z = x @ W + b`` with ``W`` (in, out) and ``b`` (out,)."""

    def __init__(self, weights: Array, bias: Array, input_grad: bool = True):
        self.params = {"W": weights, "b": bias}
        self.xp = namespace(weights)
        self.grads = {"W": self.xp.zeros_like(weights), "b": self.xp.zeros_like(bias)}
        self.input_grad = input_grad  # the first layer's input gradient is never needed
        self._x = None

    def forward(self, x: Array, rng: np.random.Generator | None = None) -> Array:
        """(batch, out) from x (batch, in)."""
        self._x = x
        z = x @ self.params["W"]
        z += self.params["b"]  # in place: one pass, no second (batch, out) array
        return z

    def backward(self, grad_out: Array) -> Array | None:
        """Fill grads from d loss / d z (batch, out); return d loss / d x (batch, in) or None."""
        self.grads["W"] = self._x.T @ grad_out  # (in, out)
        self.grads["b"] = self.xp.sum(grad_out, axis=0)  # (out,)
        return grad_out @ self.params["W"].T if self.input_grad else None


class Activation:
    """An elementwise activation from :data:`ACTIVATIONS` over arrays of namespace ``xp``."""

    def __init__(self, name: str, xp: ModuleType):
        self.params: dict[str, Array] = {}  # no trainable parameters
        self.grads: dict[str, Array] = {}
        self.name = name
        self.xp = xp
        self._f = ACTIVATIONS[name]
        self._backward = BACKWARD[name]
        self._a = None

    def forward(self, z: Array, rng: np.random.Generator | None = None) -> Array:
        self._a = self._f(z, self.xp)
        return self._a

    def backward(self, grad_out: Array) -> Array:
        return self._backward(grad_out, self._a, self.xp)


class Reshape:
    """Each sample reshaped to ``shape``, e.g. (S*S,) -> (S, S, 1) or (H, W, C) -> (-1,)."""

    def __init__(self, shape: tuple[int, ...]):
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self.shape = shape
        self._in_shape: tuple[int, ...] = ()

    def forward(self, x: Array, rng: np.random.Generator | None = None) -> Array:
        self._in_shape = tuple(x.shape)
        return namespace(x).reshape(x, (x.shape[0], *self.shape))

    def backward(self, grad_out: Array) -> Array:
        return namespace(grad_out).reshape(grad_out, self._in_shape)


class Dropout:
    """Inverted dropout: while training, each unit is zeroed with probability ``rate`` and the
    others scaled by 1 / (1 - rate), so inference (``rng`` None) is the identity. The masks come
    from the training run's generator, so a seeded run drops the same units every time."""

    def __init__(self, rate: float):
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self.rate = rate
        self._mask = None

    def forward(self, x: Array, rng: np.random.Generator | None = None) -> Array:
        if rng is None:
            self._mask = None
            return x
        keep = rng.random(tuple(x.shape)) >= self.rate  # drawn on the host, like the weights
        xp = namespace(x)
        self._mask = xp.asarray(keep / (1.0 - self.rate), dtype=x.dtype)
        return x * self._mask

    def backward(self, grad_out: Array) -> Array:
        return grad_out if self._mask is None else grad_out * self._mask
