"""The network's hyperparameters (:class:`ModelConfig`), the rules they obey, and the
architecture they describe as a list of layer specs (see :mod:`signnet.nn.layers`).

This module imports no implementation, so that whatever checks params (every stage) can apply
the same rules without depending on the layers' code: each rule lives here once.

Architecture: optional convolution blocks, then dense layers. With ``conv`` empty it is a
multilayer perceptron on the flat input. Otherwise the input row of S*S pixels is read as an
S x S one-channel image, and each entry of ``conv`` adds a block k x k convolution ->
[batch normalisation] -> activation -> 2 x 2 max-pooling with that many channels, computed as
convolution -> [batch normalisation] -> pooling -> activation: every activation is
non-decreasing, so the maximum of the activations is the activation of the maximum, and the
activation then runs on a quarter of the values (its gradient too); the last block's output is
flattened into the dense layers. Every hidden dense layer is followed by
[batch normalisation], the activation and, when ``dropout`` > 0, dropout; the last dense layer
gives the logits: 1 unit for two classes, K otherwise (see :mod:`signnet.nn.losses`).
"""

from __future__ import annotations

import dataclasses
import math

# The floating-point types a network computes in (names of the array namespace's dtypes).
DTYPES = ("float64", "float32")


def kernel_problem(kernel_size: int) -> str | None:
    """Why ``kernel_size`` cannot be a convolution's, or None: "same" zero padding of k // 2 on
    each side keeps the image size only for an odd k."""
    return None if kernel_size % 2 == 1 else "must be odd (same padding keeps the size)"


def depth_problem(side: int, blocks: int) -> str | None:
    """Why ``blocks`` convolution blocks do not fit images of side ``side``, or None: each block
    halves the side with 2 x 2 pooling."""
    if side >> blocks >= 1:
        return None
    return f"{blocks} convolution blocks need images of side at least {2**blocks}"


def output_units(n_classes: int) -> int:
    """Logit units for ``n_classes``: one for two classes (sigmoid), else one per class."""
    return 1 if n_classes == 2 else n_classes


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Every hyperparameter of the architecture; stored in the model file with the layer specs.

    ``conv`` gives the channels of each convolution block (empty: no convolution) and
    ``kernel_size`` their odd kernel side; ``hidden`` the units of each hidden dense layer
    (empty: logistic or softmax regression on what comes before); ``dropout`` the rate after
    each hidden dense layer (0: none); ``batch_norm`` whether each convolution and hidden dense
    layer is batch-normalised. ``activation``, ``init`` and ``dtype`` name entries of
    ``ACTIVATIONS``, ``INITIALISERS`` and the float dtypes (checked where they are used;
    ``init_scale`` is the std of ``normal``). There are no defaults: whoever builds a network
    says all.
    """

    n_features: int
    n_classes: int
    conv: tuple[int, ...]
    kernel_size: int
    hidden: tuple[int, ...]
    dropout: float
    batch_norm: bool
    activation: str
    init: str
    init_scale: float
    dtype: str

    def __post_init__(self):
        if self.n_features < 1 or self.n_classes < 2 or any(n < 1 for n in self.hidden):
            raise ValueError(
                f"{self.n_features} features, {self.n_classes} classes and hidden widths "
                f"{list(self.hidden)}: need at least 1 feature, 2 classes and positive widths"
            )
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout {self.dropout}: a rate in [0, 1)")
        if self.conv:
            side = math.isqrt(self.n_features)
            if side * side != self.n_features:
                raise ValueError(f"convolutions need square images; {self.n_features} features")
            problem = depth_problem(side, len(self.conv)) or kernel_problem(self.kernel_size)
            if problem or any(c < 1 for c in self.conv):
                raise ValueError(problem or f"channels {list(self.conv)}: need positive counts")

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

    def architecture(self) -> list[dict]:
        """The layer specs from input to logits (see the module)."""
        activation = {"kind": "activation", "name": self.activation}
        specs: list[dict] = []
        if self.conv:
            side = self.image_side
            specs.append({"kind": "reshape", "shape": [side, side, 1]})  # images (1, S, S, batch)
            for c_in, c_out in zip((1, *self.conv), self.conv, strict=False):
                specs.append(
                    {
                        "kind": "conv2d",
                        "channels_in": c_in,
                        "channels": c_out,
                        "kernel_size": self.kernel_size,
                    }
                )
                if self.batch_norm:
                    specs.append({"kind": "batch_norm", "features": c_out, "images": True})
                specs += [{"kind": "max_pool2d"}, activation]  # the same as activation first
            specs.append({"kind": "reshape", "shape": [-1]})  # rows (batch, S' * S' * C)
        widths = self.widths
        for i, (inputs, units) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
            if i:  # after a hidden dense layer
                if self.batch_norm:
                    specs.append({"kind": "batch_norm", "features": inputs, "images": False})
                specs.append(activation)
                if self.dropout:
                    specs.append({"kind": "dropout", "rate": self.dropout})
            specs.append({"kind": "dense", "inputs": inputs, "units": units})
        return specs

    def floats_per_sample(self) -> int:
        """The size of the largest array one sample needs on the way through (for chunking)."""
        k2, side, channels, largest = self.kernel_size**2, self.image_side, 1, self.n_features
        for c_out in self.conv:
            largest = max(largest, side * side * max(k2 * channels, c_out))  # im2col rows
            side, channels = side // 2, c_out
        return max(largest, *self.widths)

    def parameter_count(self) -> int:
        """The numbers the network learns: weights and biases, and batch normalisation's scales
        and shifts."""
        count, channels, normalised = 0, 1, 2 if self.batch_norm else 0
        for c_out in self.conv:
            count += self.kernel_size**2 * channels * c_out + c_out + normalised * c_out
            channels = c_out
        widths = self.widths
        count += sum(a * b + b for a, b in zip(widths, widths[1:], strict=False))
        return count + normalised * sum(self.hidden)

    def training_bytes(self, batch_size: int) -> tuple[int, int]:
        """About the memory training takes, in two parts: for the learnt numbers, five floats
        each (the weights, their gradients, two optimizer slots, the best epoch's copy); for a
        batch, four floats of each sample's largest array (forward, backward and the buffers
        the layers keep)."""
        size = 8 if self.dtype == "float64" else 4
        return 5 * self.parameter_count() * size, 4 * batch_size * self.floats_per_sample() * size

    def to_dict(self) -> dict:
        return {**dataclasses.asdict(self), "conv": list(self.conv), "hidden": list(self.hidden)}

    @classmethod
    def from_dict(cls, record: dict) -> ModelConfig:
        return cls(**{**record, "conv": tuple(record["conv"]), "hidden": tuple(record["hidden"])})
