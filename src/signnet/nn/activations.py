"""Hidden-layer activations and their derivatives, as name -> function tables.

Each derivative is written in terms of the activation's *output* ``a = f(z)``, which the layer
keeps from the forward pass, so backpropagation needs no second evaluation of ``f``.
All functions are elementwise; ``xp`` is the array namespace of their input (layers look it up
once, not per call, since these run for every batch).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

Array = Any


def sigmoid(z: Array, xp: ModuleType) -> Array:
    """``1 / (1 + exp(-z))``, computed as ``(1 + tanh(z / 2)) / 2``: no overflow for any z."""
    return 0.5 * (xp.tanh(0.5 * z) + 1.0)


def tanh(z: Array, xp: ModuleType) -> Array:
    return xp.tanh(z)


def relu(z: Array, xp: ModuleType) -> Array:
    return xp.maximum(z, 0.0)


ACTIVATIONS: dict[str, Callable[[Array, ModuleType], Array]] = {
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
}

# Backpropagation through f: (upstream gradient, a = f(z), xp) -> gradient with respect to z.
BACKWARD: dict[str, Callable[[Array, Array, ModuleType], Array]] = {
    "sigmoid": lambda grad, a, xp: grad * (a * (1.0 - a)),
    "tanh": lambda grad, a, xp: grad * (1.0 - a * a),
    # derivative 0 at z = 0, as usual; a product with the 0/1 mask is several times faster
    # than a select (``where``) in NumPy
    "relu": lambda grad, a, xp: grad * xp.astype(a > 0, grad.dtype),
}
