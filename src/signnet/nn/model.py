"""The network: the layers a list of specs describes (see :mod:`signnet.nn.architecture`), built
fresh or from saved state, with the forward and backward passes and the output/loss pair.

Shapes: inputs x (batch, n_features); images inside (channels, S, S, batch); logits
(batch, units) with units = 1 for two classes and K otherwise (see :mod:`signnet.nn.losses`);
probabilities (batch, K) for every K.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

import signnet.nn.batchnorm  # noqa: F401  (registers its layer)
import signnet.nn.conv  # noqa: F401  (registers its layers)
from signnet.nn.architecture import DTYPES, ModelConfig
from signnet.nn.backend import namespace
from signnet.nn.initialisers import INITIALISERS
from signnet.nn.layers import LAYERS, Layer
from signnet.nn.losses import loss_for

Array = Any

# Inference runs in chunks of at most this many floats of the largest intermediate array per
# chunk (2**25: 256 MB in float64), so a CNN can score thousands of images in bounded memory.
INFERENCE_FLOATS = 2**25


class Network:
    """The layers of ``config.architecture()``, and the output/loss pair."""

    def __init__(self, config: ModelConfig, layers: list[Layer]):
        """From built layers, all of one namespace and dtype; the first layer with parameters
        gets no input gradient (nothing before it learns)."""
        self.config = config
        self.loss = loss_for(config.n_classes)
        self.layers = layers
        self.trainable()[0].input_grad = False

    @classmethod
    def initialise(cls, config: ModelConfig, seed: int, xp: ModuleType) -> Network:
        """Fresh layers: weights drawn on the host from ``seed`` (the same on every device) by
        ``config.init``, in layer order; each layer starts the rest of its state itself."""
        if config.dtype not in DTYPES or config.init not in INITIALISERS:
            raise ValueError(
                f"dtype {config.dtype!r} and init {config.init!r}: one of {', '.join(DTYPES)} "
                f"and one of {', '.join(INITIALISERS)}"
            )
        rng = np.random.default_rng(seed)
        draw = INITIALISERS[config.init].draw

        def weights(fan_in: int, fan_out: int) -> np.ndarray:
            return draw(rng, fan_in, fan_out, config.init_scale)

        dtype = getattr(xp, config.dtype)
        specs = config.architecture()
        return cls(config, [LAYERS[s["kind"]].create(s, weights, xp, dtype) for s in specs])

    @classmethod
    def load(cls, config: ModelConfig, specs: list[dict], states: list[dict[str, Array]]):
        """Rebuild from ``specs`` and the state of each layer that has state, in order (as
        :meth:`states` gives them)."""
        saved = iter(states)
        layers = [
            LAYERS[s["kind"]].load(s, next(saved) if LAYERS[s["kind"]].state_shapes(s) else {})
            for s in specs
        ]
        return cls(config, layers)

    def specs(self) -> list[dict]:
        """The architecture: each layer's spec, input to output."""
        return [layer.spec() for layer in self.layers]

    def states(self) -> list[dict[str, Array]]:
        """Every array the model file keeps: the state of each layer that has one, in order."""
        return [layer.state() for layer in self.layers if layer.state()]

    def trainable(self) -> list[Layer]:
        """The layers with trainable parameters, for the optimizer (the one way to reach
        ``params``, ``grads`` and ``decayed``)."""
        return [layer for layer in self.layers if layer.params]

    def parameters(self) -> list[dict[str, Array]]:
        """The trainable arrays, one dict per layer with parameters."""
        return [layer.params for layer in self.trainable()]

    def gradients(self) -> list[dict[str, Array]]:
        """The gradients of the last :meth:`backward`, matching :meth:`parameters`."""
        return [layer.grads for layer in self.trainable()]

    def forward(
        self, x: Array, *, training: bool = False, rng: np.random.Generator | None = None
    ) -> Array:
        """Logits (batch, units) for inputs (batch, n_features); ``training`` for a training
        step (dropout draws from ``rng``, batch normalisation uses the batch's statistics)."""
        for layer in self.layers:
            x = layer.forward(x, training=training, rng=rng)
        return x

    def in_chunks(self, compute: Callable[[slice], Array], n: int) -> Array:
        """``compute(rows)`` for slices of rows covering ``n`` samples, in chunks of bounded
        memory (at most :data:`INFERENCE_FLOATS` floats of the largest intermediate array),
        concatenated along the first axis."""
        rows = max(1, INFERENCE_FLOATS // self.config.floats_per_sample())
        if n <= rows:
            return compute(slice(0, n))
        chunks = [compute(slice(i, min(i + rows, n))) for i in range(0, n, rows)]
        return namespace(chunks[0]).concat(chunks, axis=0)

    def logits(self, x: Array) -> Array:
        """Inference logits (N, units) for any number of inputs, in chunks of bounded memory."""
        return self.in_chunks(lambda rows: self.forward(x[rows, ...]), x.shape[0])

    def last_hidden(self, x: Array) -> Array:
        """What the output layer reads at inference, (N, ``config.widths[-2]``) for inputs
        (N, n_features): the last hidden dense layer's activations; without hidden dense layers
        the last convolution block's, flattened; without either, x itself."""

        def compute(rows: slice) -> Array:
            h = x[rows, ...]
            for layer in self.layers[:-1]:
                h = layer.forward(h, training=False)
            return h

        return self.in_chunks(compute, x.shape[0])

    def backward(self, grad_logits: Array) -> Array | None:
        """Backpropagate d loss / d logits (batch, units) through the last forward pass,
        filling every layer's grads; return d loss / d x (batch, n_features) when the first
        layer with weights computes its input gradient (see :meth:`input_gradient`), else
        None."""
        grad = grad_logits
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
            if grad is None:  # the first layer with weights needs no input gradient
                return None
        return grad

    def input_gradient(self, x: Array, grad_logits: Array) -> Array:
        """d (sum of grad_logits * logits) / d x (batch, n_features) of the inference function
        (dropout off, batch normalisation with its running statistics) at inputs x
        (batch, n_features), for grad_logits (batch, units): with a one-hot row per sample,
        each sample's gradient of one logit. A fresh array; :meth:`gradients` are overwritten
        on the way (the same sum's parameter gradients)."""
        self.forward(x)
        first = self.trainable()[0]
        first.input_grad = True
        try:
            grad = self.backward(grad_logits)
        finally:
            first.input_grad = False
        return namespace(grad).asarray(grad, copy=True)  # layers reuse their buffers

    def compute_gradients(self, x: Array, targets: Array, rng: np.random.Generator) -> Array:
        """A training step's forward (with ``rng`` for dropout) and backward for one batch,
        filling :meth:`gradients`; returns the forward pass's logits (batch, units), from which
        the training loop keeps its loss and accuracy on the batch."""
        logits = self.forward(x, training=True, rng=rng)
        self.backward(self.loss.gradient(logits, targets))
        return logits

    def predict_proba(self, x: Array) -> Array:
        """Class probabilities (N, K), columns in class-index order."""
        p = self.loss.probabilities(self.logits(x))
        if self.config.n_classes == 2:
            return namespace(p).concat([1.0 - p, p], axis=1)
        return p
