"""The multilayer perceptron: its configuration, construction, forward and backward passes.

Shapes: inputs x (batch, n_features); logits (batch, units) with units = 1 for two classes and
K otherwise (see :mod:`signnet.nn.losses`); probabilities (batch, K) for every K.
"""

from __future__ import annotations

import dataclasses
from types import ModuleType
from typing import Any

import numpy as np

from signnet.nn.activations import ACTIVATIONS
from signnet.nn.backend import namespace, to_device
from signnet.nn.layers import INITIALISERS, Activation, Dense
from signnet.nn.losses import loss_for, output_units

Array = Any

# The floating-point types a network computes in (names of the array namespace's dtypes).
DTYPES = ("float64", "float32")


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Every hyperparameter of the architecture; stored in the model file to rebuild it.

    ``hidden`` gives the units of each hidden layer (empty: logistic or softmax regression);
    ``activation`` names an entry of :data:`~signnet.nn.activations.ACTIVATIONS`, ``init`` one
    of :data:`~signnet.nn.layers.INITIALISERS` (``init_scale`` is the std of ``normal``), and
    ``dtype`` one of :data:`DTYPES`. There are no defaults: whoever builds a network says all.
    """

    n_features: int
    n_classes: int
    hidden: tuple[int, ...]
    activation: str
    init: str
    init_scale: float
    dtype: str

    def __post_init__(self):
        for name, value, allowed in (
            ("activation", self.activation, ACTIVATIONS),
            ("init", self.init, INITIALISERS),
            ("dtype", self.dtype, DTYPES),
        ):
            if value not in allowed:
                raise ValueError(f"{name} {value!r} is not one of {', '.join(allowed)}")
        if self.n_features < 1 or self.n_classes < 2 or any(n < 1 for n in self.hidden):
            raise ValueError(
                f"{self.n_features} features, {self.n_classes} classes and hidden widths "
                f"{list(self.hidden)}: need at least 1 feature, 2 classes and positive widths"
            )

    @property
    def widths(self) -> list[int]:
        """Units per layer from input to output, e.g. [784, 64, 1]."""
        return [self.n_features, *self.hidden, output_units(self.n_classes)]

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "hidden": list(self.hidden)}

    @classmethod
    def from_dict(cls, record: dict) -> ModelConfig:
        return cls(**{**record, "hidden": tuple(record["hidden"])})


class Network:
    """Dense layers with ``config.activation`` between them, and the output/loss pair."""

    def __init__(self, config: ModelConfig, weights: list[tuple[Array, Array]]):
        """Build from (W (in, out), b (out,)) per dense layer, all of one namespace and dtype."""
        self.config = config
        self.loss = loss_for(config.n_classes)
        xp = namespace(weights[0][0])
        self.layers: list[Dense | Activation] = []
        for i, (w, b) in enumerate(weights):
            if i:
                self.layers.append(Activation(config.activation, xp))
            self.layers.append(Dense(w, b, input_grad=i > 0))

    @classmethod
    def initialise(cls, config: ModelConfig, seed: int, xp: ModuleType) -> Network:
        """Fresh weights drawn on the host from ``seed`` (the same on every device); zero biases."""
        rng = np.random.default_rng(seed)
        dtype = getattr(xp, config.dtype)
        initialise = INITIALISERS[config.init]
        widths = config.widths
        weights = [
            (
                to_device(initialise(rng, n_in, n_out, config.init_scale), xp, dtype),
                xp.zeros(n_out, dtype=dtype),
            )
            for n_in, n_out in zip(widths[:-1], widths[1:], strict=True)
        ]
        return cls(config, weights)

    def parameters(self) -> list[dict[str, Array]]:
        """The trainable arrays, one dict per dense layer (the one way to reach them)."""
        return [layer.params for layer in self.layers if layer.params]

    def gradients(self) -> list[dict[str, Array]]:
        """The gradients of the last :meth:`backward`, matching :meth:`parameters`."""
        return [layer.grads for layer in self.layers if layer.params]

    def forward(self, x: Array) -> Array:
        """Logits (batch, units) for inputs (batch, n_features)."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad_logits: Array) -> None:
        """Backpropagate d loss / d logits (batch, units), filling every layer's grads."""
        grad = grad_logits
        for layer in reversed(self.layers):
            grad = layer.backward(grad)

    def compute_gradients(self, x: Array, targets: Array) -> None:
        """Forward and backward for one batch, filling :meth:`gradients` (the loss itself is
        not needed for the step, so it is not computed)."""
        self.backward(self.loss.gradient(self.forward(x), targets))

    def predict_proba(self, x: Array) -> Array:
        """Class probabilities (batch, K), columns in class-index order."""
        p = self.loss.probabilities(self.forward(x))
        if self.config.n_classes == 2:
            return namespace(p).concat([1.0 - p, p], axis=1)
        return p
