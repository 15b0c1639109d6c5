"""Batch normalisation (Ioffe and Szegedy, 2015) over every axis but the feature axis: the last
of rows (N, F), the first of images (C, H, W, N) (their channels; see :mod:`signnet.nn.layers`).

While training, each feature is normalised with the batch's mean and (biased) variance, then
scaled by ``gamma`` and shifted by ``beta``; the running mean and (unbiased) variance follow
each batch's with momentum :data:`MOMENTUM`. At inference the running statistics are used, so
a photo's prediction does not depend on the others in its batch. The constants are PyTorch's.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from signnet.nn.layers import Draw, Layer

Array = Any

EPSILON = 1e-5  # added to the variance
MOMENTUM = 0.1  # weight of the newest batch in the running statistics


class BatchNorm(Layer):
    """``y = gamma * (x - mean) / sqrt(var + eps) + beta`` per feature (the last axis).

    Spec: ``features`` (F), and ``images`` (whether the input is (F, H, W, N) images or
    (N, F) rows; the maths is the same, PyTorch's counterpart is not). State: ``gamma`` and
    ``beta`` (F,), trained; ``running_mean`` and ``running_var`` (F,), buffers.
    """

    kind = "batch_norm"
    torch_names = {
        "gamma": "weight",
        "beta": "bias",
        "running_mean": "running_mean",
        "running_var": "running_var",
    }
    citation = "Ioffe 2015"  # a key of the report's references
    # For the report: the training forward pass, the running statistics, the backward pass
    # (bars are means over the feature's n values in the batch).
    equations = (
        r"\hat{x} = \dfrac{x - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}},\qquad "
        r"y = \gamma\,\hat{x} + \beta",
        r"\mu \leftarrow (1 - m)\,\mu + m\,\mu_B,\qquad "
        r"\sigma^2 \leftarrow (1 - m)\,\sigma^2 + m\,\dfrac{n}{n - 1}\,\sigma_B^2",
        r"\dfrac{\partial \mathcal{L}}{\partial x} = \dfrac{\gamma}{\sqrt{\sigma_B^2 + \epsilon}}"
        r"\left(\delta - \overline{\delta} - \hat{x}\,\overline{\delta\,\hat{x}}\right),\qquad "
        r"\dfrac{\partial \mathcal{L}}{\partial \gamma} = \sum \delta\,\hat{x},\quad "
        r"\dfrac{\partial \mathcal{L}}{\partial \beta} = \sum \delta",
    )

    def __init__(self, spec: dict, state: dict[str, Array]):
        super().__init__(spec)
        self._train({"gamma": state["gamma"], "beta": state["beta"]})
        self.buffers = {"running_mean": state["running_mean"], "running_var": state["running_var"]}
        self._xhat = None
        self._inv_std = None
        # the axes each feature's statistics run over, and the shape that broadcasts a (F,)
        # vector along the feature axis
        self._axes, self._along = ((1, 2, 3), (-1, 1, 1, 1)) if spec["images"] else ((0,), (1, -1))

    @classmethod
    def state_shapes(cls, spec: dict) -> dict[str, tuple[int, ...]]:
        return {name: (spec["features"],) for name in cls.torch_names}

    @classmethod
    def create(cls, spec: dict, draw: Draw, xp: ModuleType, dtype: Any) -> BatchNorm:
        """Scale 1, shift 0, running mean 0 and variance 1: the identity at first."""
        ones, zeros = (f((spec["features"],), dtype=dtype) for f in (xp.ones, xp.zeros))
        state = {"gamma": ones, "beta": zeros, "running_mean": xp.zeros_like(zeros)}
        return cls(spec, state | {"running_var": xp.ones_like(ones)})

    @classmethod
    def load(cls, spec: dict, state: dict[str, Array]) -> BatchNorm:
        return cls(spec, state)

    def _per_feature(self, v: Array) -> Array:
        """A (F,) vector shaped to broadcast along the feature axis."""
        return self.xp.reshape(v, self._along)

    def forward(self, x: Array, *, training: bool, rng: np.random.Generator | None = None):
        """x normalised per feature: with the batch's statistics while training."""
        xp, f = self.xp, self._per_feature
        gamma, beta = f(self.params["gamma"]), f(self.params["beta"])
        if not training:
            scale = gamma / xp.sqrt(f(self.buffers["running_var"]) + EPSILON)
            return (x - f(self.buffers["running_mean"])) * scale + beta
        n = x.size // self.params["gamma"].shape[0]  # values per feature in this batch
        mean = xp.mean(x, axis=self._axes)  # (F,)
        centred = x - f(mean)
        var = xp.mean(centred * centred, axis=self._axes)  # biased, as the normalisation uses
        self._inv_std = f(1.0 / xp.sqrt(var + EPSILON))
        self._xhat = centred * self._inv_std
        unbiased = var * (n / (n - 1)) if n > 1 else var
        for name, batch in (("running_mean", mean), ("running_var", unbiased)):
            self.buffers[name] = (1 - MOMENTUM) * self.buffers[name] + MOMENTUM * batch
        return self._xhat * gamma + beta

    def backward(self, grad_out: Array) -> Array:
        """Fill grads from d loss / d y; return d loss / d x (through the batch statistics)."""
        xp, f = self.xp, self._per_feature
        xhat = self._xhat
        self.grads["gamma"] = xp.sum(grad_out * xhat, axis=self._axes)
        self.grads["beta"] = xp.sum(grad_out, axis=self._axes)
        n = grad_out.size // self.params["gamma"].shape[0]
        gamma = f(self.params["gamma"])
        mean_dxhat = f(self.grads["beta"]) * gamma / n
        mean_dxhat_xhat = f(self.grads["gamma"]) * gamma / n
        return (grad_out * gamma - mean_dxhat - xhat * mean_dxhat_xhat) * self._inv_std

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        module = "BatchNorm2d" if self._spec["images"] else "BatchNorm1d"
        arguments = {"num_features": self._spec["features"], "eps": EPSILON, "momentum": MOMENTUM}
        return module, arguments, self.torch_arrays(self.state())
