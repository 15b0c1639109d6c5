"""Batch normalisation (Ioffe and Szegedy, 2015) over every axis but the feature axis: the last
of rows (N, F), the first of images (C, H, W, N) (their channels; see :mod:`signnet.nn.layers`).

While training, each feature is normalised with the batch's mean and (biased) variance, then
scaled by ``gamma`` and shifted by ``beta``; the running mean and (unbiased) variance follow
each batch's with momentum :data:`MOMENTUM`. At inference the running statistics are used, so
a photo's prediction does not depend on the others in its batch; a backward pass after an
inference forward pass differentiates that fixed affine map (what a saliency map needs, see
:mod:`signnet.nn.explain`). The constants are PyTorch's.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from signnet.nn.layers import Draw, Layer
from signnet.nn.parallel import for_slabs

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

    def __init__(self, spec: dict, state: dict[str, Array]):
        super().__init__(spec)
        self._train({"gamma": state["gamma"], "beta": state["beta"]})
        self.buffers = {"running_mean": state["running_mean"], "running_var": state["running_var"]}
        self._centred = None  # (F, M): the last training batch minus its means
        self._inv_std = None  # (F,): 1 / sqrt(its variances + eps)
        self._inference_input = None  # (F, M): the last inference batch (None after training)

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

    def _features_by_values(self, x: Array) -> Array:
        """x as a (F, M) matrix, a row per feature: images (F, H, W, N) reshaped, rows (N, F)
        transposed (a view either way)."""
        return self.xp.reshape(x, (x.shape[0], -1)) if self._spec["images"] else x.T

    def _back(self, m: Array, shape: tuple[int, ...]) -> Array:
        """A (F, M) matrix back in the layout of an input of ``shape``."""
        return self.xp.reshape(m, shape) if self._spec["images"] else m.T

    def forward(self, x: Array, *, training: bool, rng: np.random.Generator | None = None):
        """x normalised per feature: with the batch's statistics while training. Features are
        independent, so the work goes a slab of features at a time (:func:`for_slabs`)."""
        xp = self.xp
        values = self._features_by_values(x)  # (F, M)
        f, n = values.shape  # n: values per feature in this batch
        gamma, beta = self.params["gamma"], self.params["beta"]
        out = xp.empty((f, n), dtype=values.dtype)
        self._inference_input = None if training else values
        if not training:
            scale = gamma / xp.sqrt(self.buffers["running_var"] + EPSILON)

            def normalise(start: int, stop: int) -> None:
                rows = slice(start, stop)
                part = (values[rows, :] - self.buffers["running_mean"][rows, None]) * scale[
                    rows, None
                ]
                part += beta[rows, None]
                out[rows, :] = part

            for_slabs(values, normalise)
            return self._back(out, tuple(x.shape))
        mean = xp.empty((f,), dtype=values.dtype)
        var = xp.empty((f,), dtype=values.dtype)
        self._centred = xp.empty((f, n), dtype=values.dtype)
        self._inv_std = xp.empty((f,), dtype=values.dtype)

        def standardise(start: int, stop: int) -> None:
            rows = slice(start, stop)
            mean[rows] = xp.mean(values[rows, :], axis=1)
            centred = values[rows, :] - mean[rows, None]
            self._centred[rows, :] = centred
            var[rows] = xp.vecdot(centred, centred, axis=1) / n  # biased, as normalised
            self._inv_std[rows] = 1.0 / xp.sqrt(var[rows] + EPSILON)
            part = centred * (gamma[rows] * self._inv_std[rows])[:, None]  # = gamma * xhat
            part += beta[rows, None]
            out[rows, :] = part

        for_slabs(values, standardise)
        unbiased = var * (n / (n - 1)) if n > 1 else var
        for name, batch in (("running_mean", mean), ("running_var", unbiased)):
            self.buffers[name] = (1 - MOMENTUM) * self.buffers[name] + MOMENTUM * batch
        return self._back(out, tuple(x.shape))

    def backward(self, grad_out: Array) -> Array:
        """Fill grads from d loss / d y; return d loss / d x (through the batch statistics):
        with xhat = centred * inv_std and a = gamma * inv_std, the equation's
        a (delta - mean(delta) - xhat mean(delta xhat)) as a * delta + b * centred + c, per
        feature, in three passes, a slab of features at a time. After an inference forward
        pass the statistics are constants: b = c = 0, d loss / d x = a * delta."""
        xp, inv_std, inference = self.xp, self._inv_std, self._inference_input
        if inference is not None:
            inv_std = 1.0 / xp.sqrt(self.buffers["running_var"] + EPSILON)
        delta = self._features_by_values(grad_out)  # (F, M)
        f, n = delta.shape
        gamma = self.params["gamma"]
        grad = xp.empty((f, n), dtype=delta.dtype)
        self.grads["beta"] = xp.empty((f,), dtype=delta.dtype)
        self.grads["gamma"] = xp.empty((f,), dtype=delta.dtype)

        def backpropagate(start: int, stop: int) -> None:
            rows = slice(start, stop)
            if inference is None:
                centred = self._centred[rows, :]
            else:
                centred = inference[rows, :] - self.buffers["running_mean"][rows, None]
            beta_grad = xp.sum(delta[rows, :], axis=1)
            gamma_grad = xp.vecdot(delta[rows, :], centred, axis=1) * inv_std[rows]
            self.grads["beta"][rows] = beta_grad  # sum(delta)
            self.grads["gamma"][rows] = gamma_grad  # sum(delta * xhat)
            a = gamma[rows] * inv_std[rows]
            part = delta[rows, :] * a[:, None]
            if inference is None:
                b = -a * inv_std[rows] * gamma_grad / n
                c = -a * beta_grad / n
                part += centred * b[:, None]
                part += c[:, None]
            grad[rows, :] = part

        for_slabs(delta, backpropagate)
        return self._back(grad, tuple(grad_out.shape))

    @classmethod
    def summary(cls, spec: dict) -> str:
        return "batch norm"

    @classmethod
    def maths(cls, spec: dict) -> tuple[str, tuple[str, ...]]:
        return (
            "Batch normalisation (Ioffe and Szegedy, 2015) normalises each feature (each "
            "channel, over the pixels too, for images) with the batch's "
            "mean $\\mu_B$ and variance $\\sigma_B^2$ ($n$ values) while training, then scales "
            "and shifts by the learned $\\gamma$ and $\\beta$; running estimates, updated with "
            f"momentum $\\mu_r = {MOMENTUM:g}$, take the batch's place at inference, so a photo's "
            "prediction does not depend on the others scored with it. Backward, the error "
            "passes through the batch's statistics as well (bars are means over the $n$ values):",
            (
                r"\hat{X} = \dfrac{X - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}},\quad "
                r"Y = \gamma\,\hat{X} + \beta,\qquad "
                r"\mu \leftarrow (1 - \mu_r)\,\mu + \mu_r\,\mu_B,\quad "
                r"\sigma^2 \leftarrow (1 - \mu_r)\,\sigma^2 + \mu_r\,\dfrac{n}{n - 1}\,\sigma_B^2",
                r"\dfrac{\partial \mathcal{L}}{\partial X} = "
                r"\dfrac{\gamma}{\sqrt{\sigma_B^2 + \epsilon}}"
                r"\left(\delta - \overline{\delta} - \hat{X}\,\overline{\delta\,\hat{X}}\right),"
                r"\qquad \dfrac{\partial \mathcal{L}}{\partial \gamma} = \sum \delta\,\hat{X},"
                r"\quad \dfrac{\partial \mathcal{L}}{\partial \beta} = \sum \delta",
            ),
        )

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        module = "BatchNorm2d" if self._spec["images"] else "BatchNorm1d"
        arguments = {"num_features": self._spec["features"], "eps": EPSILON, "momentum": MOMENTUM}
        return module, arguments, self.torch_arrays(self.state())
