"""The layer protocol, its registry :data:`LAYERS`, and the simple layers (dense, activation,
reshape, dropout); convolution, pooling and batch normalisation have modules of their own.

Conventions: a batch is a 2-D array (batch, features) or, for images, a 4-D array
(channels, height, width, batch), the batch last: the layout that makes a convolution's shifted
copies long contiguous runs and its products large (see :mod:`signnet.nn.conv`). A sample's
features are its pixels in (height, width, channels) order, as a :class:`Reshape` flattens them.

Every layer is one object that carries everything about itself:

* its **spec**, a JSON-able dict ``{"kind": ..., settings...}``: the architecture is a list of
  specs (stored in the model file), and ``LAYERS[spec["kind"]].create(spec, ...)`` or
  ``.load(spec, state)`` rebuilds the layer from it;
* its **state**: ``params`` (trainable arrays, name -> array), the matching ``grads``, and
  ``buffers`` (arrays it keeps but does not train, such as running statistics); ``decayed``
  names the params that weight decay applies to (see :mod:`signnet.nn.optimizers`);
* its **maths**: ``forward(x, training=..., rng=...)`` keeps what ``backward`` needs;
  ``training`` says whether this is a training step (dropout drops, batch normalisation uses the
  batch's statistics) and ``rng``, the training run's generator, is what stochastic layers draw
  from; ``backward(grad_out)`` fills ``grads`` and returns the gradient with respect to the
  input, or None when ``input_grad`` is off (the first layer with weights);
* its **counterpart**: ``torch()``, the PyTorch module that computes the same with its
  arguments and its state in PyTorch's names and layout (``torch_names`` maps each state name to
  PyTorch's), for the benchmarks' twin;
* its **description**, for a reader (the report's method section): ``summary(spec)``, the
  layer in a few words for a table of the network, and ``maths(spec)``, what it computes
  forward and backward, in a sentence and equations. The equations' notation: ``X`` is the
  layer's input and ``Y`` its output, ``δ`` the gradient of the loss with respect to ``Y``
  that the backward pass brings, ``m`` the images in the batch.

A subclass with a ``kind`` registers itself in :data:`LAYERS` (the one table of layers).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, ClassVar

import numpy as np

from signnet.nn.activations import ACTIVATIONS
from signnet.nn.backend import namespace, to_device, to_numpy
from signnet.nn.parallel import matmul

Array = Any
# Draws a host float64 weight matrix (fan_in, fan_out); see signnet.nn.initialisers.
Draw = Callable[[int, int], np.ndarray]

LAYERS: dict[str, type[Layer]] = {}


class Layer:
    """The protocol every layer follows (see the module). Stateless by default."""

    kind: ClassVar[str]
    citation: ClassVar[str | None] = None  # the paper it comes from (a key of the references)
    decayed: ClassVar[frozenset[str]] = frozenset()
    torch_names: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:
            if cls.kind in LAYERS:
                raise TypeError(f"two layer classes of kind {cls.kind!r}")
            LAYERS[cls.kind] = cls

    def __init__(self, spec: dict):
        self._spec = dict(spec)
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self.buffers: dict[str, Array] = {}
        self.input_grad = True

    # --- building -------------------------------------------------------------------------

    @classmethod
    def state_shapes(cls, spec: dict) -> dict[str, tuple[int, ...]]:
        """The shape of each state array (params and buffers) a layer of ``spec`` holds."""
        return {}

    @classmethod
    def create(cls, spec: dict, draw: Draw, xp: ModuleType, dtype: Any) -> Layer:
        """A layer of ``spec`` with its initial state: weights from ``draw`` (in the order of
        :meth:`state_shapes`), the rest as the layer starts it."""
        return cls.load(spec, {})

    @classmethod
    def load(cls, spec: dict, state: dict[str, Array]) -> Layer:
        """A layer of ``spec`` holding ``state`` (arrays shaped as :meth:`state_shapes` says)."""
        return cls(spec)

    def _train(self, params: dict[str, Array]) -> None:
        """Hold ``params`` as trainable, with zero gradients of their shapes; ``xp`` is their
        array namespace."""
        self.params = params
        self.xp = namespace(*params.values())
        self.grads = {name: self.xp.zeros_like(p) for name, p in params.items()}

    def spec(self) -> dict:
        return dict(self._spec)

    def state(self) -> dict[str, Array]:
        """Everything the model file keeps: params, then buffers."""
        return self.params | self.buffers

    # --- maths ----------------------------------------------------------------------------

    def forward(self, x: Array, *, training: bool, rng: np.random.Generator | None = None):
        raise NotImplementedError

    def backward(self, grad_out: Array) -> Array | None:
        raise NotImplementedError

    # --- descriptions ---------------------------------------------------------------------

    @classmethod
    def summary(cls, spec: dict) -> str:
        """A layer of ``spec`` in a few words, e.g. "dense, 64 units"."""
        raise NotImplementedError(f"layer kind {cls.kind!r} has no summary")

    @classmethod
    def maths(cls, spec: dict) -> tuple[str, tuple[str, ...]]:
        """What a layer of ``spec`` computes forward and backward: a sentence (ending in a colon
        when equations follow) and its equations in TeX (see the module for the notation)."""
        raise NotImplementedError(f"layer kind {cls.kind!r} has no maths")

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        """(``torch.nn`` class name, its arguments, its state by PyTorch's names and layout)."""
        raise NotImplementedError

    def torch_layout(self) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
        """For each state array stored otherwise than PyTorch stores it, the conversion."""
        return {}

    def torch_arrays(self, arrays: dict[str, Array]) -> dict[str, np.ndarray]:
        """``arrays`` (the state, or the gradients) by PyTorch's names, in its layout."""
        layout = self.torch_layout()
        return {
            self.torch_names[name]: layout.get(name, lambda a: a)(to_numpy(value))
            for name, value in arrays.items()
        }


class Dense(Layer):
    """``z = x @ W + b`` with ``W`` (in, out) and ``b`` (out,). Spec: ``inputs``, ``units``."""

    kind = "dense"
    decayed = frozenset({"W"})
    torch_names = {"W": "weight", "b": "bias"}

    def __init__(self, spec: dict, weights: Array, bias: Array):
        super().__init__(spec)
        self._train({"W": weights, "b": bias})
        self._x = None

    @classmethod
    def state_shapes(cls, spec: dict) -> dict[str, tuple[int, ...]]:
        return {"W": (spec["inputs"], spec["units"]), "b": (spec["units"],)}

    @classmethod
    def create(cls, spec: dict, draw: Draw, xp: ModuleType, dtype: Any) -> Dense:
        weights = to_device(draw(spec["inputs"], spec["units"]), xp, dtype)
        return cls(spec, weights, xp.zeros((spec["units"],), dtype=dtype))  # biases start at 0

    @classmethod
    def load(cls, spec: dict, state: dict[str, Array]) -> Dense:
        return cls(spec, state["W"], state["b"])

    def forward(self, x: Array, *, training: bool, rng: np.random.Generator | None = None):
        """(batch, out) from x (batch, in)."""
        self._x = x
        z = matmul(x, self.params["W"])
        z += self.params["b"]  # in place: one pass, no second (batch, out) array
        return z

    def backward(self, grad_out: Array) -> Array | None:
        """Fill grads from d loss / d z (batch, out); return d loss / d x (batch, in) or None."""
        self.grads["W"] = matmul(self._x.T, grad_out)  # (in, out), summed over the batch
        self.grads["b"] = self.xp.sum(grad_out, axis=0)  # (out,)
        return matmul(grad_out, self.params["W"].T) if self.input_grad else None

    @classmethod
    def summary(cls, spec: dict) -> str:
        return f"dense, {spec['units']} unit" + ("s" if spec["units"] != 1 else "")

    @classmethod
    def maths(cls, spec: dict) -> tuple[str, tuple[str, ...]]:
        return (
            "A dense layer multiplies its input rows (one per image) by its weights $W$ and "
            "adds its bias $b$ to every row; backward, the weight gradient multiplies the input "
            "by the error $\\delta$, the bias gradient sums the error over the batch, and the "
            "input's error goes back through the weights:",
            (
                r"Y = X\,W + b,\qquad \dfrac{\partial \mathcal{L}}{\partial W} = "
                r"X^{\top}\delta,\quad \dfrac{\partial \mathcal{L}}{\partial b} = "
                r"\sum_{i=1}^{m}\delta_i,\quad \dfrac{\partial \mathcal{L}}{\partial X} = "
                r"\delta\,W^{\top}",
            ),
        )

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        arguments = {"in_features": self._spec["inputs"], "out_features": self._spec["units"]}
        return "Linear", arguments, self.torch_arrays(self.state())

    def torch_layout(self) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
        return {"W": np.transpose}  # (in, out) -> (out, in)


class ActivationLayer(Layer):
    """An elementwise activation of :data:`~signnet.nn.activations.ACTIVATIONS`. Spec: ``name``."""

    kind = "activation"

    def __init__(self, spec: dict):
        super().__init__(spec)
        self.activation = ACTIVATIONS[spec["name"]]
        self.xp: ModuleType | None = None  # looked up once: this runs for every batch
        self._z = None  # the input: the derivative is computed from it

    def forward(self, z: Array, *, training: bool, rng: np.random.Generator | None = None):
        if self.xp is None:
            self.xp = namespace(z)
        self._z = z
        return self.activation.forward(z, self.xp)

    def backward(self, grad_out: Array) -> Array:
        return self.activation.backward(grad_out, self._z, self.xp)

    @classmethod
    def summary(cls, spec: dict) -> str:
        return ACTIVATIONS[spec["name"]].display

    @classmethod
    def maths(cls, spec: dict) -> tuple[str, tuple[str, ...]]:
        activation = ACTIVATIONS[spec["name"]]
        g, g_prime = activation.equations
        return (
            f"The {activation.display} $g$ applies to each value; backward, the error is "
            "multiplied by its derivative at the layer's input:",
            (
                rf"Y = g(X),\quad {g},\qquad \dfrac{{\partial \mathcal{{L}}}}{{\partial X}} = "
                rf"\delta \odot g'(X),\quad {g_prime}",
            ),
        )

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        name, arguments = self.activation.torch
        return name, arguments, {}


class Reshape(Layer):
    """Rows to images or back. Spec: ``shape``, a sample's shape after the layer: (H, W, C)
    turns rows (N, H*W*C) into images (C, H, W, N), and (-1,) turns images (C, H, W, N) into
    rows (N, H*W*C); either way a row holds the pixels in (h, w, c) order."""

    kind = "reshape"

    def __init__(self, spec: dict):
        super().__init__(spec)
        self.shape = tuple(spec["shape"])
        self._image_shape: tuple[int, ...] = ()  # (C, H, W) of the images a flatten took

    @staticmethod
    def _to_images(rows: Array, height: int, width: int, channels: int) -> Array:
        """Rows (N, H*W*C) as contiguous images (C, H, W, N)."""
        xp = namespace(rows)
        view = xp.permute_dims(
            xp.reshape(rows, (rows.shape[0], height, width, channels)), (3, 1, 2, 0)
        )
        images = xp.empty(view.shape, dtype=rows.dtype)
        images[...] = view  # one copy, into the batch-last layout
        return images

    @staticmethod
    def _to_rows(images: Array) -> Array:
        """Images (C, H, W, N) as rows (N, H*W*C)."""
        xp = namespace(images)
        return xp.reshape(xp.permute_dims(images, (3, 1, 2, 0)), (images.shape[3], -1))

    def forward(self, x: Array, *, training: bool, rng: np.random.Generator | None = None):
        if self.shape == (-1,):
            self._image_shape = tuple(x.shape[:3])
            return self._to_rows(x)
        return self._to_images(x, *self.shape)

    def backward(self, grad_out: Array) -> Array:
        if self.shape == (-1,):
            channels, height, width = self._image_shape
            return self._to_images(grad_out, height, width, channels)
        return self._to_rows(grad_out)

    @classmethod
    def summary(cls, spec: dict) -> str:
        if tuple(spec["shape"]) == (-1,):
            return "flatten"
        height, width, channels = spec["shape"]
        return f"as a {height} x {width} image, {channels} channel" + "s" * (channels != 1)

    @classmethod
    def maths(cls, spec: dict) -> tuple[str, tuple[str, ...]]:
        if tuple(spec["shape"]) == (-1,):
            return (
                "Flattening turns each image's values into one row, in row, column, channel "
                "order; backward, the error is laid out as images again.",
                (),
            )
        return (
            "The input row of each image's pixels is read as an image, row by row; backward, "
            "the error is laid out as rows again.",
            (),
        )

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        """PyTorch's images are (N, C, H, W): rows become (1, S, S) images, and images are
        flattened in signnet's (h, w, c) order (the twin's ``ChannelsLastFlatten``)."""
        if self.shape == (-1,):
            return "ChannelsLastFlatten", {}, {}
        height, width, channels = self.shape
        return "Unflatten", {"dim": 1, "unflattened_size": (channels, height, width)}, {}


class Dropout(Layer):
    """Inverted dropout: while training, each unit is zeroed with probability ``rate`` and the
    others scaled by 1 / (1 - rate), so inference is the identity. The masks come from the
    training run's generator, so a seeded run drops the same units every time. Spec: ``rate``."""

    kind = "dropout"

    def __init__(self, spec: dict):
        super().__init__(spec)
        self.rate = spec["rate"]
        self._mask = None

    def forward(self, x: Array, *, training: bool, rng: np.random.Generator | None = None):
        if not training:
            self._mask = None
            return x
        if rng is None:
            raise ValueError("dropout needs the training run's generator while training")
        keep = rng.random(tuple(x.shape)) >= self.rate  # drawn on the host, like the weights
        self._mask = namespace(x).asarray(keep / (1.0 - self.rate), dtype=x.dtype)
        return x * self._mask

    def backward(self, grad_out: Array) -> Array:
        return grad_out if self._mask is None else grad_out * self._mask

    @classmethod
    def summary(cls, spec: dict) -> str:
        return f"dropout {spec['rate']:g}"

    @classmethod
    def maths(cls, spec: dict) -> tuple[str, tuple[str, ...]]:
        p = spec["rate"]
        return (
            f"While training, dropout keeps each value with probability $1 - p = {1 - p:g}$ "
            f"and scales it by $1/(1 - p)$ (inverted dropout), a new mask $M$ for every batch; "
            "at inference it passes its input as it is. Backward, the error is multiplied by "
            "the same mask:",
            (
                r"Y = \dfrac{X \odot M}{1 - p},\quad M_{ij} \sim \mathrm{Bernoulli}(1 - p),"
                r"\qquad \dfrac{\partial \mathcal{L}}{\partial X} = "
                r"\dfrac{\delta \odot M}{1 - p}",
            ),
        )

    def torch(self) -> tuple[str, dict, dict[str, np.ndarray]]:
        return "Dropout", {"p": self.rate}, {}
