"""Optimizers that update every trainable layer's parameters in place from its gradients;
:data:`OPTIMIZERS` is the one table of them.

``step(layers)`` takes the layers that have parameters (``Network.trainable()``): each has
``params`` and ``grads`` (name -> array) and ``decayed``, the names of its parameters that L2
weight decay applies to (a layer's weight matrix, never a bias or a normalisation's scale and
shift). Decay adds ``weight_decay * p`` to those gradients, as scikit-learn's ``alpha`` does; the
reported loss is the data loss alone. This is the one rule for weight decay: the PyTorch twin
puts exactly these parameters in its decayed group.

Every hyperparameter is a keyword argument with no default (``eps`` excepted), so whoever builds
an optimizer states each setting it uses. Each class also carries its description for the
report (``display``, ``equation``) and its PyTorch counterpart (``torch``).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from signnet.nn.backend import namespace

Array = Any


class SGD:
    """Plain gradient descent: ``p -= lr * g``."""

    name: ClassVar[str] = "sgd"
    citation: ClassVar[str | None] = None  # the paper it comes from (a key of the references)
    equation: ClassVar[str] = (
        r"\theta \leftarrow \theta - \eta_e\,\dfrac{\partial \mathcal{L}}{\partial \theta}"
    )

    def __init__(self, *, lr: float, weight_decay: float):
        self.lr = lr
        self.weight_decay = weight_decay

    @classmethod
    def settings_from(cls, mapping: Mapping[str, Any]) -> dict[str, Any]:
        """The keyword arguments of this optimizer's constructor that ``mapping`` holds."""
        wanted = inspect.signature(cls).parameters
        return {name: value for name, value in mapping.items() if name in wanted}

    def display(self) -> str:
        """What the optimizer is, with its settings other than the rate, in prose."""
        return "plain gradient descent"

    def torch(self) -> tuple[str, dict]:
        """PyTorch's ``torch.optim`` class that updates alike, and its arguments (the groups
        and weight decay are the twin's, per :attr:`decayed`)."""
        return "SGD", {"lr": self.lr, "momentum": 0.0}

    def _gradient(self, decayed: bool, p: Array, g: Array) -> Array:
        return g + self.weight_decay * p if self.weight_decay and decayed else g

    def _gradients(self, layers: list) -> Iterator[tuple[tuple[int, str], Array, Array]]:
        """((layer, name), parameter, gradient with decay) for every parameter, in order."""
        for i, layer in enumerate(layers):
            for name, p in layer.params.items():
                yield (i, name), p, self._gradient(name in layer.decayed, p, layer.grads[name])

    def step(self, layers: list) -> None:
        for _, p, g in self._gradients(layers):
            p -= self.lr * g


class Momentum(SGD):
    """Heavy-ball momentum: ``v = mu * v + g; p -= lr * v`` (PyTorch's convention)."""

    name = "momentum"
    equation = (
        r"v \leftarrow \mu\,v + \dfrac{\partial \mathcal{L}}{\partial \theta},\qquad "
        r"\theta \leftarrow \theta - \eta_e\,v"
    )

    def __init__(self, *, lr: float, momentum: float, weight_decay: float):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.momentum = momentum
        self.velocity: dict[tuple[int, str], Array] = {}

    def display(self) -> str:
        return f"gradient descent with momentum {self.momentum:g}"

    def torch(self) -> tuple[str, dict]:
        return "SGD", {"lr": self.lr, "momentum": self.momentum}

    def step(self, layers: list) -> None:
        for key, p, g in self._gradients(layers):
            v = self.velocity.get(key)
            v = g if v is None else self.momentum * v + g
            self.velocity[key] = v
            p -= self.lr * v


class Adam(SGD):
    """Adam (Kingma and Ba, 2015) with bias-corrected first and second moments."""

    name = "adam"
    citation = "Kingma 2015"
    equation = (
        r"m_t = \beta_1 m_{t-1} + (1-\beta_1)\,g_t,\quad v_t = \beta_2 v_{t-1} + "
        r"(1-\beta_2)\,g_t^2,\quad \theta \leftarrow \theta - \eta_e\,"
        r"\frac{m_t/(1-\beta_1^t)}{\sqrt{v_t/(1-\beta_2^t)} + \epsilon}"
    )

    def __init__(
        self, *, lr: float, beta1: float, beta2: float, weight_decay: float, eps: float = 1e-8
    ):
        super().__init__(lr=lr, weight_decay=weight_decay)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.moments: dict[tuple[int, str], tuple[Array, Array]] = {}
        self.t = 0

    def display(self) -> str:
        return f"Adam (β1 {self.beta1:g}, β2 {self.beta2:g})"

    def torch(self) -> tuple[str, dict]:
        return "Adam", {"lr": self.lr, "betas": (self.beta1, self.beta2), "eps": self.eps}

    def step(self, layers: list) -> None:
        self.t += 1
        correction1 = 1.0 - self.beta1**self.t
        correction2 = 1.0 - self.beta2**self.t
        for key, p, g in self._gradients(layers):
            if key not in self.moments:
                self.moments[key] = (namespace(p).zeros_like(p), namespace(p).zeros_like(p))
            m, v = self.moments[key]  # updated in place: no new arrays per step
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            p -= self.lr * (m / correction1) / ((v / correction2) ** 0.5 + self.eps)


OPTIMIZERS: dict[str, type[SGD]] = {o.name: o for o in (SGD, Momentum, Adam)}
