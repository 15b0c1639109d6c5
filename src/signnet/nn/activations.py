"""Hidden-layer activations: each one object with its maths, its names, its equations and its
PyTorch counterpart; :data:`ACTIVATIONS` is the one table of them.

Each derivative is written in terms of the activation's *output* ``a = g(z)``, which the layer
keeps from the forward pass, so backpropagation needs no second evaluation of ``g``.
All functions are elementwise; ``xp`` is the array namespace of their input (layers look it up
once, not per call, since these run for every batch).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import ModuleType
from typing import Any

Array = Any


@dataclasses.dataclass(frozen=True)
class Activation:
    """An elementwise activation ``g``.

    ``name`` is its params value, ``display`` its name in prose; ``forward(z, xp)`` computes
    ``g(z)`` and ``backward(grad, a, xp)`` the gradient with respect to ``z`` from the upstream
    ``grad`` and the output ``a``; ``equations`` are ``g(z)`` and ``g'(z)`` in LaTeX;
    ``torch`` names PyTorch's ``torch.nn`` module that computes the same, with its arguments.
    """

    name: str
    display: str
    forward: Callable[[Array, ModuleType], Array]
    backward: Callable[[Array, Array, ModuleType], Array]
    equations: tuple[str, str]
    torch: tuple[str, dict]


# The slope of leaky ReLU for negative inputs (PyTorch's default).
LEAKY_SLOPE = 0.01

SIGMOID = Activation(
    "sigmoid",
    "sigmoid",
    # computed as (1 + tanh(z / 2)) / 2: no overflow for any z
    lambda z, xp: 0.5 * (xp.tanh(0.5 * z) + 1.0),
    lambda grad, a, xp: grad * (a * (1.0 - a)),
    (r"g(z) = \sigma(z) = \dfrac{1}{1 + e^{-z}}", r"g'(z) = \sigma(z)\,(1 - \sigma(z))"),
    ("Sigmoid", {}),
)
TANH = Activation(
    "tanh",
    "tanh",
    lambda z, xp: xp.tanh(z),
    lambda grad, a, xp: grad * (1.0 - a * a),
    (r"g(z) = \tanh(z)", r"g'(z) = 1 - \tanh^2(z)"),
    ("Tanh", {}),
)
RELU = Activation(
    "relu",
    "ReLU",
    lambda z, xp: xp.maximum(z, 0.0),
    # derivative 0 at z = 0, as usual; a product with the 0/1 mask is several times faster
    # than a select (``where``) in NumPy
    lambda grad, a, xp: grad * xp.astype(a > 0, grad.dtype),
    (r"g(z) = \max(0,\, z)", r"g'(z) = [z > 0]"),
    ("ReLU", {}),
)
LEAKY_RELU = Activation(
    "leaky_relu",
    "leaky ReLU",
    lambda z, xp: xp.maximum(z, LEAKY_SLOPE * z),  # the slope is below 1
    # a > 0 exactly when z > 0; derivative LEAKY_SLOPE at z = 0, as PyTorch's
    lambda grad, a, xp: grad * (xp.astype(a > 0, grad.dtype) * (1.0 - LEAKY_SLOPE) + LEAKY_SLOPE),
    (
        rf"g(z) = \max({LEAKY_SLOPE:g}\,z,\, z)",
        rf"g'(z) = [z > 0] + {LEAKY_SLOPE:g}\,[z \leq 0]",
    ),
    ("LeakyReLU", {"negative_slope": LEAKY_SLOPE}),
)

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (SIGMOID, TANH, RELU, LEAKY_RELU)}
