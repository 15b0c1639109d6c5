"""Hidden-layer activations: each one object with its maths, its names, its equations and its
PyTorch counterpart; :data:`ACTIVATIONS` is the one table of them.

Each activation and its derivative are accurate to a few units in the last place over the whole
range of its input, saturated tails included, in float32 and float64
(``tests/test_nn_activations.py`` checks them against a reference computed with 50 digits). So
the derivative is computed from the *input* ``z``, which the layer keeps from the forward pass:
written in terms of the output ``a = g(z)`` it cancels in a saturated tail (``1 - a`` rounds to
0 where ``a`` rounds to 1), and the gradient of a saturated unit would be 0 or off by its whole
size. The sigmoid and tanh derivatives come from ``e = exp(-|z|)`` (``exp(-2|z|)``), which never
overflows. All functions are elementwise; ``xp`` is the array namespace of their input (layers
look it up once, not per call, since these run for every batch).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from types import ModuleType
from typing import Any

Array = Any


@dataclasses.dataclass(frozen=True)
class Activation:
    """An elementwise activation ``g``, non-decreasing (a convolution block max-pools before its
    activation, which is the same only for such a ``g``; a test checks each).

    ``name`` is its params value, ``display`` its name in prose; ``forward(z, xp)`` computes
    ``g(z)`` and ``backward(grad, z, xp)`` the gradient with respect to ``z`` from the upstream
    ``grad`` and the input ``z``; ``equations`` are ``g(z)`` and ``g'(z)`` in LaTeX;
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


def _sigmoid(z: Array, xp: ModuleType) -> Array:
    """1 / (1 + e^-z) for z >= 0, e^z / (1 + e^z) below: neither overflows nor cancels."""
    e = xp.exp(-xp.abs(z))
    return xp.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_derivative(z: Array, xp: ModuleType) -> Array:
    """sigma(z) sigma(-z) = e / (1 + e)^2 with e = e^-|z|: accurate in both tails."""
    e = xp.exp(-xp.abs(z))
    return e / ((1.0 + e) * (1.0 + e))


def _tanh_derivative(z: Array, xp: ModuleType) -> Array:
    """1 - tanh(z)^2 = 4 sigma'(2z) (1 - tanh^2 cancels where tanh is near 1)."""
    return 4.0 * _sigmoid_derivative(2.0 * z, xp)


SIGMOID = Activation(
    "sigmoid",
    "sigmoid",
    _sigmoid,
    lambda grad, z, xp: grad * _sigmoid_derivative(z, xp),
    (r"g(z) = \sigma(z) = \dfrac{1}{1 + e^{-z}}", r"g'(z) = \sigma(z)\,(1 - \sigma(z))"),
    ("Sigmoid", {}),
)
TANH = Activation(
    "tanh",
    "tanh",
    lambda z, xp: xp.tanh(z),
    lambda grad, z, xp: grad * _tanh_derivative(z, xp),
    (r"g(z) = \tanh(z)", r"g'(z) = 1 - \tanh^2(z)"),
    ("Tanh", {}),
)
RELU = Activation(
    "relu",
    "ReLU",
    lambda z, xp: xp.maximum(z, 0.0),
    # derivative 0 at z = 0, as usual; a product with the 0/1 mask is several times faster
    # than a select (``where``) in NumPy
    lambda grad, z, xp: grad * xp.astype(z > 0, grad.dtype),
    (r"g(z) = \max(0,\, z)", r"g'(z) = [z > 0]"),
    ("ReLU", {}),
)
LEAKY_RELU = Activation(
    "leaky_relu",
    "leaky ReLU",
    lambda z, xp: xp.maximum(z, LEAKY_SLOPE * z),  # the slope is below 1
    # derivative LEAKY_SLOPE at z = 0, as PyTorch's
    lambda grad, z, xp: grad * (xp.astype(z > 0, grad.dtype) * (1.0 - LEAKY_SLOPE) + LEAKY_SLOPE),
    (
        rf"g(z) = \max({LEAKY_SLOPE:g}\,z,\, z)",
        rf"g'(z) = [z > 0] + {LEAKY_SLOPE:g}\,[z \leq 0]",
    ),
    ("LeakyReLU", {"negative_slope": LEAKY_SLOPE}),
)

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (SIGMOID, TANH, RELU, LEAKY_RELU)}
