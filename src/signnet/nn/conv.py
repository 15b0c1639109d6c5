"""Convolution and max-pooling over image batches (batch, height, width, channels).

Both are written as a few large array operations, with no loop over samples or pixels:

* :class:`Conv2D` (k x k kernels, stride 1, "same" zero padding) gathers, for every output
  pixel, the k*k input pixels around it into one row (im2col by slicing: one slice per kernel
  offset, k*k in all), so the convolution is one matrix product
  (batch*H*W, k*k*C_in) @ (k*k*C_in, C_out). The backward pass is two products of the same size
  and k*k slice additions that put each offset's input gradient back in place.
* :class:`MaxPool2D` (2 x 2 windows, stride 2) reshapes (N, H, W, C) to (N, H/2, 2, W/2, 2, C)
  and takes the maximum over the two window axes; an odd last row or column is dropped, as in
  PyTorch. The gradient goes to the window's maximum; when several elements tie, it is shared
  equally among them (a valid subgradient, and deterministic).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from signnet.nn.backend import namespace

Array = Any


class Conv2D:
    """``k x k`` convolution with ``W`` (k*k*C_in, C_out), rows ordered (dy, dx, c_in), and ``b``
    (C_out,); input (N, H, W, C_in) -> output (N, H, W, C_out)."""

    def __init__(self, weights: Array, bias: Array, kernel_size: int, input_grad: bool = True):
        if kernel_size % 2 != 1:
            raise ValueError(f"kernel size {kernel_size}: an odd size keeps 'same' padding exact")
        self.params = {"W": weights, "b": bias}
        self.xp = namespace(weights)
        self.grads = {"W": self.xp.zeros_like(weights), "b": self.xp.zeros_like(bias)}
        self.k = kernel_size
        self.input_grad = input_grad  # the first layer's input gradient is never needed
        self._cols = None
        self._shape: tuple[int, int, int, int] = (0, 0, 0, 0)

    def _offsets(self):
        return [(dy, dx) for dy in range(self.k) for dx in range(self.k)]

    def forward(self, x: Array, rng: np.random.Generator | None = None) -> Array:
        """(N, H, W, C_out) from x (N, H, W, C_in)."""
        xp, k, pad = self.xp, self.k, self.k // 2
        n, h, w, c = x.shape
        padded = xp.zeros((n, h + 2 * pad, w + 2 * pad, c), dtype=x.dtype)
        padded[:, pad : pad + h, pad : pad + w, :] = x
        cols = xp.concat(
            [padded[:, dy : dy + h, dx : dx + w, :] for dy, dx in self._offsets()], axis=3
        )  # (N, H, W, k*k*C_in)
        self._cols = xp.reshape(cols, (n * h * w, k * k * c))
        self._shape = (n, h, w, c)
        out = self._cols @ self.params["W"] + self.params["b"]  # (N*H*W, C_out)
        return xp.reshape(out, (n, h, w, out.shape[1]))

    def backward(self, grad_out: Array) -> Array | None:
        """Fill grads from d loss / d output (N, H, W, C_out); return d loss / d x or None."""
        xp, pad = self.xp, self.k // 2
        n, h, w, c = self._shape
        grad = xp.reshape(grad_out, (n * h * w, grad_out.shape[3]))  # (N*H*W, C_out)
        self.grads["W"] = self._cols.T @ grad  # (k*k*C_in, C_out)
        self.grads["b"] = xp.sum(grad, axis=0)
        if not self.input_grad:
            return None
        grad_cols = xp.reshape(grad @ self.params["W"].T, (n, h, w, self.k * self.k * c))
        grad_padded = xp.zeros((n, h + 2 * pad, w + 2 * pad, c), dtype=grad_out.dtype)
        for i, (dy, dx) in enumerate(self._offsets()):
            grad_padded[:, dy : dy + h, dx : dx + w, :] += grad_cols[..., i * c : (i + 1) * c]
        return grad_padded[:, pad : pad + h, pad : pad + w, :]


class MaxPool2D:
    """2 x 2 max-pooling with stride 2: (N, H, W, C) -> (N, H // 2, W // 2, C)."""

    def __init__(self):
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self._windows = None
        self._pooled = None
        self._shape: tuple[int, ...] = ()

    def forward(self, x: Array, rng: np.random.Generator | None = None) -> Array:
        xp = namespace(x)
        n, h, w, c = x.shape
        h2, w2 = h // 2, w // 2
        self._shape = tuple(x.shape)
        windows = xp.reshape(x[:, : 2 * h2, : 2 * w2, :], (n, h2, 2, w2, 2, c))
        pooled = xp.max(windows, axis=(2, 4))  # (N, H/2, W/2, C)
        self._windows, self._pooled = windows, pooled
        return pooled

    def backward(self, grad_out: Array) -> Array:
        xp = namespace(grad_out)
        n, h, w, c = self._shape
        h2, w2 = h // 2, w // 2
        at_max = xp.astype(
            self._windows == xp.reshape(self._pooled, (n, h2, 1, w2, 1, c)), grad_out.dtype
        )
        share = at_max / xp.sum(at_max, axis=(2, 4), keepdims=True)  # 1, or 1/ties
        grad = share * xp.reshape(grad_out, (n, h2, 1, w2, 1, c))
        grad = xp.reshape(grad, (n, 2 * h2, 2 * w2, c))
        if (2 * h2, 2 * w2) == (h, w):
            return grad
        full = xp.zeros((n, h, w, c), dtype=grad_out.dtype)  # the dropped row/column: no gradient
        full[:, : 2 * h2, : 2 * w2, :] = grad
        return full
