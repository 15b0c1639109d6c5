"""Convolution and max-pooling over image batches, laid out (channels, height, width, batch).

Images inside the network keep the batch as their last, fastest axis (see
:mod:`signnet.nn.layers`): then every shifted copy of an image batch moves whole rows of
width * batch values, and every matrix product has the N*H*W pixels as its long side. Both are
a few large array operations, with no loop over samples or pixels:

* :class:`Conv2D` (k x k kernels, stride 1, "same" zero padding) is one matrix product. Its
  input is unfolded (im2col) into a (k*k, C_in, H, W, N) array, one slab per kernel offset, each
  the input shifted by that offset (one slice copy of long contiguous runs); the padding is the
  part of a slab no copy reaches, zero from the start. As a matrix (k*k*C_in, H*W*N) these are
  the columns, and out (C_out, H*W*N) = W^T @ columns + b. The weight gradient is the one
  product columns @ grad^T over all offsets at once, and the input gradient W @ grad
  (k*k*C_in, H*W*N), folded back onto the image by k*k slice additions (col2im).
* :class:`MaxPool2D` (2 x 2 windows, stride 2) views (C, H, W, N) as (C, H/2, 2, W/2, 2, N)
  and takes the elementwise maximum of the four window positions; an odd last row or column is
  dropped, as in PyTorch. While training it keeps which of the four won (an index 0-3 per
  output; on ties, and flat image regions tie, the first in row order, as PyTorch does), and
  the backward pass writes each output's gradient to its winner, one window position at a time.
  An inference pass keeps its input instead, and finds the winners only if a backward pass
  follows (a saliency map differentiates the inference function), so inference costs nothing
  more.

The large per-batch arrays (the columns, the input gradient) are allocated once and reused, so
a training epoch allocates them once, not once per batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

from signnet.nn.backend import namespace, to_device
from signnet.nn.layers import Draw, Layer
from signnet.nn.parallel import for_slabs, matmul

Array = Any


def _overlap(offset: int, pad: int, size: int) -> tuple[slice, slice]:
    """For a kernel offset along one axis, the output positions whose window reaches inside the
    image at that offset, and the input positions they read: out[i] reads in[i + offset - pad]."""
    shift = offset - pad
    return slice(max(0, -shift), min(size, size - shift)), slice(
        max(0, shift), min(size, size + shift)
    )


class Conv2D(Layer):
    """``k x k`` convolution with ``W`` (k*k*C_in, C_out), rows ordered (dy, dx, c_in), and ``b``
    (C_out,); input (C_in, H, W, N) -> output (C_out, H, W, N). Spec: ``channels_in``,
    ``channels`` (C_out) and ``kernel_size`` (odd; see :mod:`signnet.nn.architecture`)."""

    kind = "conv2d"
    decayed = frozenset({"W"})
    torch_names = {"W": "weight", "b": "bias"}

    def __init__(self, spec: dict, weights: Array, bias: Array):
        super().__init__(spec)
        self._train({"W": weights, "b": bias})
        self.k = spec["kernel_size"]
        self._buffers: dict[str, tuple[Array, tuple[int, ...]]] = {}
        self._columns = None  # the last forward pass's unfolded input, (k*k*C_in, H*W*N)
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

    @classmethod
    def summary(cls, spec: dict) -> str:
        k = spec["kernel_size"]
        return f"{k} x {k} conv, {spec['channels']} channels"

    @classmethod
    def maths(cls, spec: dict) -> tuple[str, tuple[str, ...]]:
        k = spec["kernel_size"]
        return (
            f"A convolution slides {k} x {k} kernels $K$ over the image with stride 1, the "
            f"image taken as zero outside its edges (offsets $u, v$ from $-{k // 2}$ to "
            f"${k // 2}$, so the size is kept), and adds a bias per output channel; backward, "
            "the kernel gradient correlates the input with the error, and the input's error is "
            "the error correlated with the kernels flipped:",
            (
                r"Y_{n,i,j,c} = b_c + \sum_{u,v}\sum_{c'} X_{n,\,i+u,\,j+v,\,c'}\,K_{u,v,c',c}",
                r"\dfrac{\partial \mathcal{L}}{\partial K_{u,v,c',c}} = \sum_{n,i,j} "
                r"X_{n,\,i+u,\,j+v,\,c'}\,\delta_{n,i,j,c},\qquad "
                r"\dfrac{\partial \mathcal{L}}{\partial X_{n,p,q,c'}} = \sum_{u,v,c} "
                r"\delta_{n,\,p-u,\,q-v,\,c}\,K_{u,v,c',c}",
            ),
        )

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        k, c_in, c_out = self.k, self._spec["channels_in"], self._spec["channels"]
        arguments = {"in_channels": c_in, "out_channels": c_out, "kernel_size": k}
        return "Conv2d", arguments | {"padding": k // 2}, self.torch_arrays(self.state())

    def torch_layout(self) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
        k, c_in, c_out = self.k, self._spec["channels_in"], self._spec["channels"]
        # rows (dy, dx, c_in) x C_out -> (C_out, C_in, k, k)
        return {"W": lambda w: w.reshape(k, k, c_in, c_out).transpose(3, 2, 0, 1)}

    def _windows(
        self, h: int, w: int
    ) -> list[tuple[int, tuple[slice, slice], tuple[slice, slice]]]:
        """For each kernel offset i = dy*k + dx: (i, output rows and columns it reaches, input
        rows and columns they read)."""
        pad = self.k // 2
        windows = []
        for dy in range(self.k):
            for dx in range(self.k):
                (out_y, in_y), (out_x, in_x) = _overlap(dy, pad, h), _overlap(dx, pad, w)
                windows.append((dy * self.k + dx, (out_y, out_x), (in_y, in_x)))
        return windows

    def _buffer(self, name: str, shape: tuple[int, ...], dtype: Any) -> Array:
        """A reused contiguous array of ``shape``, zero where no batch of this shape writes:
        one flat allocation, grown when too small and zeroed when the shape changes."""
        held, held_shape = self._buffers.get(name, (None, None))
        size = math.prod(shape)
        if held is None or held.dtype != dtype or held.shape[0] < size:
            held = self.xp.zeros((size,), dtype=dtype)
        elif held_shape != shape:
            held[:size] = 0
        self._buffers[name] = (held, shape)
        return self.xp.reshape(held[:size], shape)

    def forward(self, x: Array, *, training: bool, rng: np.random.Generator | None = None):
        """(C_out, H, W, N) from x (C_in, H, W, N)."""
        xp, kk = self.xp, self.k * self.k
        c, h, w, n = x.shape
        # (k*k, C_in, H, W, N): each copy writes one offset's overlap with the image; what no
        # copy writes is the zero padding, the same region for every batch of this shape
        columns = self._buffer("columns", (kk, c, h, w, n), x.dtype)
        windows = self._windows(h, w)

        def unfold(start: int, stop: int) -> None:  # a slab of kernel offsets
            for i, (out_y, out_x), (in_y, in_x) in windows[start:stop]:
                columns[i, :, out_y, out_x, :] = x[:, in_y, in_x, :]

        for_slabs(columns, unfold)
        self._columns = xp.reshape(columns, (kk * c, h * w * n))
        self._shape = (c, h, w, n)
        out = matmul(self.params["W"].T, self._columns)  # (C_out, H*W*N)
        out += xp.reshape(self.params["b"], (-1, 1))
        return xp.reshape(out, (out.shape[0], h, w, n))

    def backward(self, grad_out: Array) -> Array | None:
        """Fill grads from d loss / d output (C_out, H, W, N); return d loss / d x or None."""
        xp, kk = self.xp, self.k * self.k
        c, h, w, n = self._shape
        grad = xp.reshape(grad_out, (grad_out.shape[0], h * w * n))  # (C_out, H*W*N)
        # (k*k*C_in, C_out): all offsets in one product, summed over the H*W*N pixels
        self.grads["W"] = matmul(self._columns, grad.T)
        self.grads["b"] = grad @ xp.ones(h * w * n, dtype=grad.dtype)  # row sums, by BLAS
        if not self.input_grad:
            return None
        grad_columns = xp.reshape(matmul(self.params["W"], grad), (kk, c, h, w, n))
        grad_x = self._buffer("grad_x", (c, h, w, n), grad_out.dtype)
        centre = kk // 2  # the offset that reaches every pixel: it sets, the others add
        windows = self._windows(h, w)

        def fold(start: int, stop: int) -> None:  # a slab of input channels
            grad_x[start:stop, ...] = grad_columns[centre, start:stop, ...]
            for i, (out_y, out_x), (in_y, in_x) in windows:
                if i != centre:
                    grad_x[start:stop, in_y, in_x, :] += grad_columns[
                        i, start:stop, out_y, out_x, :
                    ]

        for_slabs(grad_x, fold)
        return grad_x


class MaxPool2D(Layer):
    """2 x 2 max-pooling with stride 2: (C, H, W, N) -> (C, H // 2, W // 2, N). Spec: none."""

    kind = "max_pool2d"

    def __init__(self, spec: dict):
        super().__init__(spec)
        self._winner: Array | None = None  # (C, H/2, W/2, N) int8: 0-3, the window's maximum
        self._inference_input: Array | None = None  # (C, H, W, N): the last inference pass's
        self._shape: tuple[int, ...] = ()

    @classmethod
    def summary(cls, spec: dict) -> str:
        return "2 x 2 max-pool"

    @classmethod
    def maths(cls, spec: dict) -> tuple[str, tuple[str, ...]]:
        return (
            "Max-pooling keeps the largest value of each 2 x 2 window (stride 2), halving the "
            "height and the width; backward, each window's error goes to the position of its "
            "maximum (the first in row order on ties) and the other three get none:",
            (
                r"Y_{n,i,j,c} = \max_{a,b \in \{0,1\}} X_{n,\,2i+a,\,2j+b,\,c},\qquad "
                r"\dfrac{\partial \mathcal{L}}{\partial X_{n,\,2i+a,\,2j+b,\,c}} = "
                r"\delta_{n,i,j,c}\,[(a, b) \text{ is the window's maximum}]",
            ),
        )

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        return "MaxPool2d", {"kernel_size": 2}, {}

    @staticmethod
    def _positions(windows: Array) -> list[Array]:
        """The four positions of each window (C, H/2, 2, W/2, 2, N), in row order: top left,
        top right, bottom left, bottom right, each (C, H/2, W/2, N)."""
        return [windows[:, :, a, :, b, :] for a in (0, 1) for b in (0, 1)]

    def forward(self, x: Array, *, training: bool, rng: np.random.Generator | None = None):
        """(C, H/2, W/2, N) from x (C, H, W, N), a slab of channels at a time."""
        xp = namespace(x)
        c, h, w, n = x.shape
        h2, w2 = h // 2, w // 2
        out = xp.empty((c, h2, w2, n), dtype=x.dtype)
        self._shape = tuple(x.shape)
        self._inference_input = None if training else x
        self._winner = xp.empty((c, h2, w2, n), dtype=xp.int8) if training else None

        def pool(start: int, stop: int) -> None:
            part = x[start:stop, : 2 * h2, : 2 * w2, :]
            windows = xp.reshape(part, (stop - start, h2, 2, w2, 2, n))
            top_left, top_right, bottom_left, bottom_right = self._positions(windows)
            top = xp.maximum(top_left, top_right)  # each (slab, H/2, W/2, N)
            bottom = xp.maximum(bottom_left, bottom_right)
            if training:  # the winner, the first in row order on ties: ">" for a later one
                lower = bottom > top
                right = (lower & (bottom_right > bottom_left)) | (~lower & (top_right > top_left))
                winner = 2 * xp.astype(lower, xp.int8) + xp.astype(right, xp.int8)
                self._winner[start:stop, ...] = winner
            out[start:stop, ...] = xp.maximum(top, bottom)

        for_slabs(x, pool)
        return out

    def backward(self, grad_out: Array) -> Array:
        """d loss / d x (C, H, W, N) from d loss / d output (C, H/2, W/2, N): each output's
        gradient goes to its window's winner, one window position at a time, a slab of channels
        at a time."""
        if self._winner is None:  # after an inference pass: its winners, found now
            self.forward(self._inference_input, training=True)
        xp = namespace(grad_out)
        c, h, w, n = self._shape
        h2, w2 = h // 2, w // 2
        grad = xp.zeros((c, h, w, n), dtype=grad_out.dtype)  # an odd last row/column gets none

        def scatter(start: int, stop: int) -> None:
            part = grad[start:stop, : 2 * h2, : 2 * w2, :]
            windows = xp.reshape(part, (stop - start, h2, 2, w2, 2, n))
            for position in range(4):
                a, b = divmod(position, 2)
                won = xp.astype(self._winner[start:stop, ...] == position, grad_out.dtype)
                windows[:, :, a, :, b, :] = won * grad_out[start:stop, ...]

        for_slabs(grad, scatter)
        return grad
