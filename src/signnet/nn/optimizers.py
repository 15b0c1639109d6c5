"""Optimizers that update every layer's parameter dict in place from the matching gradient dict.

All take ``params`` and ``grads`` as lists of dicts (see ``Network.parameters``). L2 weight
decay adds ``weight_decay * W`` to the gradient of each weight matrix ``W`` (not to biases), as
scikit-learn's ``alpha`` does; the reported loss is the data loss alone.

:data:`OPTIMIZERS` maps each name to its class. Every hyperparameter is a keyword argument with
no default (``eps`` excepted), so whoever builds an optimizer states each setting it uses.
"""

from __future__ import annotations

from typing import Any

Array = Any


class SGD:
    """Plain gradient descent: ``p -= lr * g``."""

    def __init__(self, *, lr: float, weight_decay: float):
        self.lr = lr
        self.weight_decay = weight_decay

    def _gradient(self, name: str, p: Array, g: Array) -> Array:
        return g + self.weight_decay * p if self.weight_decay and name == "W" else g

    def step(self, params: list[dict[str, Array]], grads: list[dict[str, Array]]) -> None:
        for layer_params, layer_grads in zip(params, grads, strict=True):
            for name, p in layer_params.items():
                p -= self.lr * self._gradient(name, p, layer_grads[name])


class Momentum(SGD):
    """Heavy-ball momentum: ``v = mu * v + g; p -= lr * v`` (PyTorch's convention)."""

    def __init__(self, *, lr: float, momentum: float, weight_decay: float):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.momentum = momentum
        self.velocity: dict[tuple[int, str], Array] = {}

    def step(self, params, grads) -> None:
        for i, (layer_params, layer_grads) in enumerate(zip(params, grads, strict=True)):
            for name, p in layer_params.items():
                g = self._gradient(name, p, layer_grads[name])
                v = self.velocity.get((i, name))
                v = g if v is None else self.momentum * v + g
                self.velocity[(i, name)] = v
                p -= self.lr * v


class Adam(SGD):
    """Adam (Kingma and Ba, 2015) with bias-corrected first and second moments."""

    def __init__(
        self, *, lr: float, beta1: float, beta2: float, weight_decay: float, eps: float = 1e-8
    ):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.moments: dict[tuple[int, str], tuple[Array, Array]] = {}
        self.t = 0

    def step(self, params, grads) -> None:
        self.t += 1
        correction1 = 1.0 - self.beta1**self.t
        correction2 = 1.0 - self.beta2**self.t
        for i, (layer_params, layer_grads) in enumerate(zip(params, grads, strict=True)):
            for name, p in layer_params.items():
                g = self._gradient(name, p, layer_grads[name])
                m, v = self.moments.get((i, name), (0.0, 0.0))
                m = self.beta1 * m + (1.0 - self.beta1) * g
                v = self.beta2 * v + (1.0 - self.beta2) * (g * g)
                self.moments[(i, name)] = (m, v)
                p -= self.lr * (m / correction1) / ((v / correction2) ** 0.5 + self.eps)


OPTIMIZERS: dict[str, type[SGD]] = {"sgd": SGD, "momentum": Momentum, "adam": Adam}
