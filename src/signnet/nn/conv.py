"""Convolution and max-pooling over image batches (batch, height, width, channels).

Both are written as a few large array operations, with no loop over samples or pixels:

* :class:`Conv2D` (k x k kernels, stride 1, "same" zero padding) copies, for each of the k*k
  kernel offsets, the shifted input into one slab of an offset-major array (k*k, N, H, W, C_in)
  (im2col by slicing: each copy moves whole rows of W*C_in values). The output is the sum over
  offsets of slab (N*H*W, C_in) @ W_offset (C_in, C_out), accumulated in place; with fewer than
  :data:`ROWS_BELOW` input channels those products are too thin for BLAS, so the slabs are
  interleaved into rows (N*H*W, k*k*C_in) and multiplied once. The backward pass is two batched
  products over the offsets and k*k slab additions that put each offset's input gradient back.
* :class:`MaxPool2D` (2 x 2 windows, stride 2) views (N, H, W, C) as (N, H/2, 2, W/2, 2, C)
  and takes the elementwise maximum of the four window positions; an odd last row or column is
  dropped, as in PyTorch. The gradient goes to the window's maximum; when several elements tie
  (flat image regions do), to the first of them in row order, as PyTorch does.

The large per-batch arrays (the padded input, its slabs, the padded input gradient) are
allocated once and reused: a batch of n samples uses the first n along the batch axis, so a
training epoch allocates them once, not once per batch.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from signnet.nn.backend import namespace, to_device
from signnet.nn.layers import Draw, Layer

Array = Any

# Below this many input channels a convolution multiplies interleaved rows (N*H*W, k*k*C_in)
# once instead of k*k thin products with C_in columns (measured: 25x faster for C_in = 1).
ROWS_BELOW = 8


class Conv2D(Layer):
    """``k x k`` convolution with ``W`` (k*k*C_in, C_out), rows ordered (dy, dx, c_in), and ``b``
    (C_out,); input (N, H, W, C_in) -> output (N, H, W, C_out). Spec: ``channels_in``,
    ``channels`` (C_out) and ``kernel_size`` (odd; see :mod:`signnet.nn.architecture`)."""

    kind = "conv2d"
    decayed = frozenset({"W"})
    torch_names = {"W": "weight", "b": "bias"}
    # Z = b + sum over offsets and input channels of X * K, for the report's method section.
    equation = r"Z_{n,i,j,c} = b_c + \sum_{u,v}\sum_{c'} X_{n,\,i+u,\,j+v,\,c'}\,K_{u,v,c',c}"

    def __init__(self, spec: dict, weights: Array, bias: Array):
        super().__init__(spec)
        self._train({"W": weights, "b": bias})
        self.k = spec["kernel_size"]
        self._buffers: dict[str, Array] = {}
        self._slabs = None
        self._shape: tuple[int, int, int, int] = (0, 0, 0, 0)

    @classmethod
    def state_shapes(cls, spec: dict) -> dict[str, tuple[int, ...]]:
        rows = spec["kernel_size"] ** 2 * spec["channels_in"]
        return {"W": (rows, spec["channels"]), "b": (spec["channels"],)}

    @classmethod
    def create(cls, spec: dict, draw: Draw, xp: ModuleType, dtype: Any) -> Conv2D:
        """Weights drawn as a (k*k*C_in, C_out) matrix: fan_in k*k*C_in, fan_out C_out."""
        weights = to_device(draw(*cls.state_shapes(spec)["W"]), xp, dtype)
        return cls(spec, weights, xp.zeros((spec["channels"],), dtype=dtype))

    @classmethod
    def load(cls, spec: dict, state: dict[str, Array]) -> Conv2D:
        return cls(spec, state["W"], state["b"])

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        k, c_in, c_out = self.k, self._spec["channels_in"], self._spec["channels"]
        arguments = {"in_channels": c_in, "out_channels": c_out, "kernel_size": k}
        return "Conv2d", arguments | {"padding": k // 2}, self.torch_arrays(self.state())

    def torch_layout(self) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
        k, c_in, c_out = self.k, self._spec["channels_in"], self._spec["channels"]
        # rows (dy, dx, c_in) x C_out -> (C_out, C_in, k, k)
        return {"W": lambda w: w.reshape(k, k, c_in, c_out).transpose(3, 2, 0, 1)}

    def _offsets(self):
        return [(dy, dx) for dy in range(self.k) for dx in range(self.k)]

    def _buffer(self, name: str, shape: tuple[int, ...], axis: int, dtype: Any) -> Array:
        """A reused zero-initialised buffer, cut to ``shape`` along the batch ``axis``."""
        held = self._buffers.get(name)
        others = shape[:axis] + shape[axis + 1 :]  # every dimension but the batch one must match
        if (
            held is None
            or held.dtype != dtype
            or held.shape[axis] < shape[axis]
            or tuple(held.shape[:axis] + held.shape[axis + 1 :]) != others
        ):
            held = self.xp.zeros(shape, dtype=dtype)
            self._buffers[name] = held
        return held[(slice(None),) * axis + (slice(0, shape[axis]), ...)]

    def _weights3(self, c: int) -> Array:
        """W as (k*k, C_in, C_out): one (C_in, C_out) matrix per offset."""
        return self.xp.reshape(self.params["W"], (self.k * self.k, c, self.params["W"].shape[1]))

    def forward(self, x: Array, *, training: bool, rng: np.random.Generator | None = None):
        """(N, H, W, C_out) from x (N, H, W, C_in)."""
        xp, kk, pad = self.xp, self.k * self.k, self.k // 2
        n, h, w, c = x.shape
        padded = self._buffer("padded", (n, h + 2 * pad, w + 2 * pad, c), 0, x.dtype)
        padded[:, pad : pad + h, pad : pad + w, :] = x  # the border stays zero
        slabs = self._buffer("slabs", (kk, n, h, w, c), 1, x.dtype)  # offset-major im2col
        for i, (dy, dx) in enumerate(self._offsets()):
            slabs[i, ...] = padded[:, dy : dy + h, dx : dx + w, :]
        slabs = xp.reshape(slabs, (kk, n * h * w, c))
        self._slabs, self._shape = slabs, (n, h, w, c)
        if c < ROWS_BELOW:
            rows = xp.reshape(xp.permute_dims(slabs, (1, 0, 2)), (n * h * w, kk * c))
            out = rows @ self.params["W"]  # (N*H*W, C_out)
        else:
            w3 = self._weights3(c)
            out = slabs[0, ...] @ w3[0, ...]
            for i in range(1, kk):
                out += slabs[i, ...] @ w3[i, ...]
        out += self.params["b"]
        return xp.reshape(out, (n, h, w, out.shape[1]))

    def backward(self, grad_out: Array) -> Array | None:
        """Fill grads from d loss / d output (N, H, W, C_out); return d loss / d x or None."""
        xp, kk, pad = self.xp, self.k * self.k, self.k // 2
        n, h, w, c = self._shape
        grad = xp.reshape(grad_out, (n * h * w, grad_out.shape[3]))  # (N*H*W, C_out)
        per_offset = xp.matmul(xp.permute_dims(self._slabs, (0, 2, 1)), grad)  # (k*k, C_in, C_out)
        self.grads["W"] = xp.reshape(per_offset, (kk * c, grad.shape[1]))
        self.grads["b"] = xp.ones(n * h * w, dtype=grad.dtype) @ grad  # column sums, by BLAS
        if not self.input_grad:
            return None
        slab_grads = xp.matmul(grad, xp.permute_dims(self._weights3(c), (0, 2, 1)))  # (k*k, NHW, C)
        shape = (n, h + 2 * pad, w + 2 * pad, c)
        grad_padded = self._buffer("grad_padded", shape, 0, grad_out.dtype)
        grad_padded[...] = 0
        for i, (dy, dx) in enumerate(self._offsets()):
            grad_padded[:, dy : dy + h, dx : dx + w, :] += xp.reshape(
                slab_grads[i, ...], (n, h, w, c)
            )
        return grad_padded[:, pad : pad + h, pad : pad + w, :]


class MaxPool2D(Layer):
    """2 x 2 max-pooling with stride 2: (N, H, W, C) -> (N, H // 2, W // 2, C). Spec: none."""

    kind = "max_pool2d"
    equation = r"P_{n,i,j,c} = \max_{a,b \in \{0,1\}} A_{n,\,2i+a,\,2j+b,\,c}"

    def __init__(self, spec: dict):
        super().__init__(spec)
        self._choices: tuple[Array, Array, Array] | None = None
        self._shape: tuple[int, ...] = ()

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        return "MaxPool2d", {"kernel_size": 2}, {}

    def forward(self, x: Array, *, training: bool, rng: np.random.Generator | None = None):
        xp = namespace(x)
        n, h, w, c = x.shape
        h2, w2 = h // 2, w // 2
        self._shape = tuple(x.shape)
        windows = xp.reshape(x[:, : 2 * h2, : 2 * w2, :], (n, h2, 2, w2, 2, c))
        top_left, top_right = windows[:, :, 0, :, 0, :], windows[:, :, 0, :, 1, :]
        bottom_left, bottom_right = windows[:, :, 1, :, 0, :], windows[:, :, 1, :, 1, :]
        top = xp.maximum(top_left, top_right)  # each (N, H/2, W/2, C)
        bottom = xp.maximum(bottom_left, bottom_right)
        # Which element wins, the first in row order on ties: a strict ">" for the later one.
        self._choices = (bottom > top, top_right > top_left, bottom_right > bottom_left)
        return xp.maximum(top, bottom)

    def backward(self, grad_out: Array) -> Array:
        xp = namespace(grad_out)
        n, h, w, c = self._shape
        h2, w2 = h // 2, w // 2
        in_bottom, right_in_top, right_in_bottom = self._choices
        top = xp.where(in_bottom, 0.0, grad_out)
        bottom = xp.where(in_bottom, grad_out, 0.0)
        windows = xp.empty((n, h2, 2, w2, 2, c), dtype=grad_out.dtype)
        windows[:, :, 0, :, 0, :] = xp.where(right_in_top, 0.0, top)
        windows[:, :, 0, :, 1, :] = xp.where(right_in_top, top, 0.0)
        windows[:, :, 1, :, 0, :] = xp.where(right_in_bottom, 0.0, bottom)
        windows[:, :, 1, :, 1, :] = xp.where(right_in_bottom, bottom, 0.0)
        grad = xp.reshape(windows, (n, 2 * h2, 2 * w2, c))
        if (2 * h2, 2 * w2) == (h, w):
            return grad
        full = xp.zeros((n, h, w, c), dtype=grad_out.dtype)  # the dropped row/column: no gradient
        full[:, : 2 * h2, : 2 * w2, :] = grad
        return full
