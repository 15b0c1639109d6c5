"""The network: its configuration, construction, forward and backward passes.

Architecture: optional convolution blocks, then dense layers. With ``conv`` empty it is a
multilayer perceptron on the flat input. Otherwise the input row of S*S pixels is read as an
S x S one-channel image, and each entry of ``conv`` adds a block k x k convolution ->
activation -> 2 x 2 max-pooling with that many channels; the last block's output is flattened
into the dense layers. Every hidden dense layer is followed by the activation and, when
``dropout`` > 0, by dropout; the last dense layer gives the logits.

Shapes: inputs x (batch, n_features); images inside (batch, S, S, channels); logits
(batch, units) with units = 1 for two classes and K otherwise (see :mod:`signnet.nn.losses`);
probabilities (batch, K) for every K.
"""

from __future__ import annotations

import dataclasses
import math
from types import ModuleType
from typing import Any

import numpy as np

from signnet.nn.activations import ACTIVATIONS
from signnet.nn.backend import namespace, to_device
from signnet.nn.conv import Conv2D, MaxPool2D
from signnet.nn.layers import INITIALISERS, Activation, Dense, Dropout, Reshape
from signnet.nn.losses import loss_for, output_units

Array = Any

# The floating-point types a network computes in (names of the array namespace's dtypes).
DTYPES = ("float64", "float32")

# Inference runs in chunks of at most this many floats of the largest intermediate array per
# chunk (2**25: 256 MB in float64), so a CNN can score thousands of images in bounded memory.
INFERENCE_FLOATS = 2**25


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Every hyperparameter of the architecture; stored in the model file to rebuild it.

    ``conv`` gives the channels of each convolution block (empty: no convolution) and
    ``kernel_size`` their odd kernel side; ``hidden`` the units of each hidden dense layer
    (empty: logistic or softmax regression on what comes before); ``dropout`` the rate after
    each hidden dense layer (0: none). ``activation`` names an entry of
    :data:`~signnet.nn.activations.ACTIVATIONS`, ``init`` one of
    :data:`~signnet.nn.layers.INITIALISERS` (``init_scale`` is the std of ``normal``), and
    ``dtype`` one of :data:`DTYPES`. There are no defaults: whoever builds a network says all.
    """

    n_features: int
    n_classes: int
    conv: tuple[int, ...]
    kernel_size: int
    hidden: tuple[int, ...]
    dropout: float
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
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout {self.dropout}: a rate in [0, 1)")
        if self.conv:
            side = math.isqrt(self.n_features)
            if side * side != self.n_features or side >> len(self.conv) < 1:
                raise ValueError(
                    f"{len(self.conv)} convolution blocks need square images of side at least "
                    f"{2 ** len(self.conv)}; {self.n_features} features are not"
                )
            if self.kernel_size % 2 != 1 or any(c < 1 for c in self.conv):
                raise ValueError(
                    f"kernel size {self.kernel_size} and channels {list(self.conv)}: need an odd "
                    "kernel and positive channel counts"
                )

    @property
    def image_side(self) -> int:
        """S, the side of the square input image (convolutional networks)."""
        return math.isqrt(self.n_features)

    @property
    def widths(self) -> list[int]:
        """Units per dense layer from its input to the output, e.g. [784, 64, 1]; for a CNN the
        first is the flattened output of the last convolution block."""
        if self.conv:
            side = self.image_side >> len(self.conv)
            first = side * side * self.conv[-1]
        else:
            first = self.n_features
        return [first, *self.hidden, output_units(self.n_classes)]

    def parameter_shapes(self) -> list[tuple[tuple[int, int], tuple[int]]]:
        """(W shape, b shape) of each layer with weights, input to output: convolutions
        (k*k*C_in, C_out), then dense layers (in, out)."""
        k2 = self.kernel_size * self.kernel_size
        channels = [1, *self.conv]
        pairs = zip(channels[:-1], self.conv, strict=True)
        shapes = [((k2 * c_in, c_out), (c_out,)) for c_in, c_out in pairs]
        widths = self.widths
        return shapes + [((a, b), (b,)) for a, b in zip(widths[:-1], widths[1:], strict=True)]

    def floats_per_sample(self) -> int:
        """The size of the largest array one sample needs on the way through (for chunking)."""
        k2, side, channels, largest = self.kernel_size**2, self.image_side, 1, self.n_features
        for c_out in self.conv:
            largest = max(largest, side * side * max(k2 * channels, c_out))  # im2col rows
            side, channels = side // 2, c_out
        return max(largest, *self.widths)

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "conv": list(self.conv), "hidden": list(self.hidden)}

    @classmethod
    def from_dict(cls, record: dict) -> ModelConfig:
        return cls(**{**record, "conv": tuple(record["conv"]), "hidden": tuple(record["hidden"])})


class Network:
    """The layers :class:`ModelConfig` describes, and the output/loss pair."""

    def __init__(self, config: ModelConfig, weights: list[tuple[Array, Array]]):
        """Build from (W, b) per layer with weights (see :meth:`ModelConfig.parameter_shapes`),
        all of one namespace and dtype."""
        self.config = config
        self.loss = loss_for(config.n_classes)
        xp = namespace(weights[0][0])
        n_conv = len(config.conv)
        self.layers: list[Any] = []
        if n_conv:
            side = config.image_side
            self.layers.append(Reshape((side, side, 1)))  # (batch, S, S, 1)
            for i, (w, b) in enumerate(weights[:n_conv]):
                conv = Conv2D(w, b, config.kernel_size, input_grad=i > 0)
                self.layers += [conv, Activation(config.activation, xp), MaxPool2D()]
            self.layers.append(Reshape((-1,)))  # (batch, S' * S' * C)
        for i, (w, b) in enumerate(weights[n_conv:]):
            if i:
                self.layers.append(Activation(config.activation, xp))
                if config.dropout:
                    self.layers.append(Dropout(config.dropout))
            self.layers.append(Dense(w, b, input_grad=i > 0 or n_conv > 0))

    @classmethod
    def initialise(cls, config: ModelConfig, seed: int, xp: ModuleType) -> Network:
        """Fresh weights drawn on the host from ``seed`` (the same on every device); zero biases.

        Each weight matrix (fan_in, fan_out) comes from ``config.init`` in layer order; for a
        convolution, fan_in = k*k*C_in and fan_out = C_out.
        """
        rng = np.random.default_rng(seed)
        dtype = getattr(xp, config.dtype)
        initialise = INITIALISERS[config.init]
        weights = [
            (
                to_device(initialise(rng, *w_shape, config.init_scale), xp, dtype),
                xp.zeros(b_shape, dtype=dtype),
            )
            for w_shape, b_shape in config.parameter_shapes()
        ]
        return cls(config, weights)

    def parameters(self) -> list[dict[str, Array]]:
        """The trainable arrays, one dict per layer with weights (the one way to reach them)."""
        return [layer.params for layer in self.layers if layer.params]

    def gradients(self) -> list[dict[str, Array]]:
        """The gradients of the last :meth:`backward`, matching :meth:`parameters`."""
        return [layer.grads for layer in self.layers if layer.params]

    def forward(self, x: Array, rng: np.random.Generator | None = None) -> Array:
        """Logits (batch, units) for inputs (batch, n_features); ``rng`` while training only."""
        for layer in self.layers:
            x = layer.forward(x, rng)
        return x

    def logits(self, x: Array) -> Array:
        """Inference logits (N, units) for any number of inputs, in chunks of bounded memory."""
        rows = max(1, INFERENCE_FLOATS // self.config.floats_per_sample())
        if x.shape[0] <= rows:
            return self.forward(x)
        chunks = [self.forward(x[i : i + rows, ...]) for i in range(0, x.shape[0], rows)]
        return namespace(x).concat(chunks, axis=0)

    def backward(self, grad_logits: Array) -> None:
        """Backpropagate d loss / d logits (batch, units), filling every layer's grads."""
        grad = grad_logits
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
            if grad is None:  # the first layer with weights needs no input gradient
                break

    def compute_gradients(
        self, x: Array, targets: Array, rng: np.random.Generator | None = None
    ) -> None:
        """Forward (training mode: dropout draws from ``rng``) and backward for one batch,
        filling :meth:`gradients` (the loss itself is not needed for the step)."""
        self.backward(self.loss.gradient(self.forward(x, rng), targets))

    def predict_proba(self, x: Array) -> Array:
        """Class probabilities (N, K), columns in class-index order."""
        p = self.loss.probabilities(self.logits(x))
        if self.config.n_classes == 2:
            return namespace(p).concat([1.0 - p, p], axis=1)
        return p
