"""Hidden-layer activations and their derivatives, as name -> function tables.

Each derivative is written in terms of the activation's *output* ``a = f(z)``, which the layer
keeps from the forward pass, so backpropagation needs no second evaluation of ``f``.
All functions are elementwise and take their array namespace from the input.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from signnet.nn.backend import namespace

Array = Any


def sigmoid(z: Array) -> Array:
    """``1 / (1 + exp(-z))``, computed as ``(1 + tanh(z / 2)) / 2``: no overflow for any z."""
    xp = namespace(z)
    return 0.5 * (xp.tanh(0.5 * z) + 1.0)


def tanh(z: Array) -> Array:
    return namespace(z).tanh(z)


def relu(z: Array) -> Array:
    return namespace(z).maximum(z, 0.0)


ACTIVATIONS: dict[str, Callable[[Array], Array]] = {"sigmoid": sigmoid, "tanh": tanh, "relu": relu}

# d f(z) / dz as a function of a = f(z).
DERIVATIVES: dict[str, Callable[[Array], Array]] = {
    "sigmoid": lambda a: a * (1.0 - a),
    "tanh": lambda a: 1.0 - a * a,
    "relu": lambda a: namespace(a).astype(a > 0, a.dtype),  # 0 at z = 0, as is usual
}
