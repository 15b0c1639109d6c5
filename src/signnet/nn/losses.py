"""Output layers fused with their losses, computed from logits.

Conventions: ``logits`` has shape (batch, units); ``targets`` has the same shape and dtype.

* Two classes: one unit, sigmoid output, binary cross-entropy; the target is 1 for class index
  1 (the "positive" class) and 0 for class index 0.
* K > 2 classes: K units, softmax output, categorical cross-entropy; targets are one-hot rows.

Each loss is the mean over the batch. Working from logits (never ``log`` of a probability) keeps
the loss finite and warning-free for logits of any size, and gives the well-known gradient
``(probabilities - targets) / batch`` for both pairs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from signnet.nn.activations import SIGMOID
from signnet.nn.backend import namespace

Array = Any


class BinaryCrossEntropy:
    """Sigmoid output with binary cross-entropy, for one output unit."""

    name = "binary cross-entropy"
    output = "sigmoid"
    # For a reader: what the output and the loss compute, and the gradient the backward pass
    # starts from (z the logit, y the target, m the images in the batch).
    maths = (
        "One sigmoid unit gives the probability $\\hat{y}$ of class 1 from the logit $z$; the loss "
        "is the binary cross-entropy averaged over the batch, computed from $z$ (as "
        "$\\max(z, 0) - yz + \\log(1 + e^{-|z|})$, so it never takes $\\log 0$), and its "
        "gradient with respect to the logit starts the backward pass:",
        (
            r"\hat{y}_i = \sigma(z_i),\quad \mathcal{L} = -\dfrac{1}{m}\sum_{i=1}^{m}"
            r"\left[y_i \log \hat{y}_i + (1 - y_i)\log(1 - \hat{y}_i)\right],\qquad "
            r"\dfrac{\partial \mathcal{L}}{\partial z_i} = \dfrac{\hat{y}_i - y_i}{m}",
        ),
    )

    @staticmethod
    def loss(logits: Array, targets: Array) -> Array:
        """``mean(-t log s(z) - (1-t) log(1-s(z)))`` as ``mean(max(z,0) - tz + log1p(e^-|z|))``."""
        xp = namespace(logits)
        per_sample = xp.maximum(logits, 0.0) - targets * logits + xp.log1p(xp.exp(-xp.abs(logits)))
        return xp.mean(per_sample)

    @staticmethod
    def probabilities(logits: Array) -> Array:
        """(batch, 1) probabilities of class index 1."""
        return SIGMOID.forward(logits, namespace(logits))

    @staticmethod
    def gradient(logits: Array, targets: Array) -> Array:
        """d loss / d logits, (batch, 1)."""
        return (SIGMOID.forward(logits, namespace(logits)) - targets) / logits.shape[0]


class SoftmaxCrossEntropy:
    """Softmax output with categorical cross-entropy, for K output units."""

    name = "categorical cross-entropy"
    output = "softmax"
    maths = (
        "A softmax over the logits, one per class, gives each class's probability; the loss is the "
        "categorical cross-entropy with one-hot targets $y$, averaged over the batch and "
        "computed with the log-sum-exp shift (so it never takes $\\log 0$), and its gradient "
        "with respect to the logits starts the backward pass:",
        (
            r"\hat{y}_{ik} = \dfrac{e^{z_{ik}}}{\sum_j e^{z_{ij}}},\quad \mathcal{L} = "
            r"-\dfrac{1}{m}\sum_{i=1}^{m}\sum_{k} y_{ik}\log \hat{y}_{ik},\qquad "
            r"\dfrac{\partial \mathcal{L}}{\partial z_{ik}} = \dfrac{\hat{y}_{ik} - y_{ik}}{m}",
        ),
    )

    @staticmethod
    def _shifted(logits: Array) -> tuple[Array, Array]:
        """Logits minus their row maximum, and the log of each row's sum of exponentials."""
        xp = namespace(logits)
        shifted = logits - xp.max(logits, axis=1, keepdims=True)
        return shifted, xp.log(xp.sum(xp.exp(shifted), axis=1, keepdims=True))

    @classmethod
    def loss(cls, logits: Array, targets: Array) -> Array:
        """``mean(-sum(t * log softmax(z)))``, with log-softmax from the shifted logits."""
        xp = namespace(logits)
        shifted, log_norm = cls._shifted(logits)
        return -xp.sum(targets * (shifted - log_norm)) / logits.shape[0]

    @classmethod
    def probabilities(cls, logits: Array) -> Array:
        """(batch, K) class probabilities, each row summing to 1."""
        shifted, log_norm = cls._shifted(logits)
        return namespace(logits).exp(shifted - log_norm)

    @classmethod
    def gradient(cls, logits: Array, targets: Array) -> Array:
        """d loss / d logits, (batch, K)."""
        return (cls.probabilities(logits) - targets) / logits.shape[0]


def loss_for(n_classes: int) -> type[BinaryCrossEntropy] | type[SoftmaxCrossEntropy]:
    """The output/loss pair for ``n_classes`` (2: sigmoid + BCE; more: softmax + CE)."""
    return BinaryCrossEntropy if n_classes == 2 else SoftmaxCrossEntropy


def encode_targets(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Targets float64 (N, units) for class indices ``labels`` (N,), on the host."""
    if n_classes == 2:
        return labels.reshape(-1, 1).astype(np.float64)
    return np.eye(n_classes)[labels]
