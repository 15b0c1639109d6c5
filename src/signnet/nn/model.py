"""The multilayer perceptron: its configuration, construction, forward and backward passes.

Shapes: inputs x (batch, n_features); logits (batch, units) with units = 1 for two classes and
K otherwise (see :mod:`signnet.nn.losses`); probabilities (batch, K) for every K.
"""

from __future__ import annotations

import dataclasses
from types import ModuleType
from typing import Any

import numpy as np

from signnet.nn.backend import namespace, to_device
from signnet.nn.layers import Activation, Dense, initial_weights
from signnet.nn.losses import loss_for, output_units

Array = Any


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Every hyperparameter of the architecture; stored in the model file to rebuild it."""

    n_features: int
    n_classes: int
    hidden: tuple[int, ...] = (64,)
    activation: str = "sigmoid"
    init: str = "xavier"
    init_scale: float = 0.01
    dtype: str = "float64"

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
        widths = config.widths
        weights = [
            (
                to_device(
                    initial_weights(rng, n_in, n_out, config.init, config.init_scale), xp, dtype
                ),
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
