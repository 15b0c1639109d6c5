"""The training loop: seeded mini-batch descent with per-epoch evaluation and divergence checks.

Arrays arrive already on the device (see :mod:`signnet.nn.backend`); the loop moves nothing but
one permutation per epoch (N,) from the host, and reads back a few scalars per epoch.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from signnet.errors import SignnetError
from signnet.nn.backend import namespace
from signnet.nn.model import Network
from signnet.nn.optimizers import SGD

Array = Any


class TrainingDiverged(SignnetError):
    """The loss or a weight became NaN or infinite."""


@dataclasses.dataclass
class Split:
    """One part of the data on the device: x (N, features), targets (N, units), labels (N,)."""

    x: Array
    targets: Array
    labels: Array


def evaluate(model: Network, part: Split) -> tuple[float, float]:
    """(mean loss, accuracy) of ``model`` on ``part``, as Python floats."""
    xp = namespace(part.x)
    logits = model.forward(part.x)
    if logits.shape[1] == 1:
        predicted = xp.astype(logits[:, 0] > 0, part.labels.dtype)
    else:
        predicted = xp.argmax(logits, axis=1)
    accuracy = xp.mean(xp.astype(predicted == part.labels, logits.dtype))
    return float(model.loss.loss(logits, part.targets)), float(accuracy)


def _check_finite(model: Network, epoch: int, loss: float, lr: float) -> None:
    xp = namespace(model.parameters()[0]["W"])
    finite = math.isfinite(loss) and all(
        bool(xp.all(xp.isfinite(p))) for layer in model.parameters() for p in layer.values()
    )
    if not finite:
        raise TrainingDiverged(
            f"training diverged at epoch {epoch}: the loss or a weight is not finite "
            f"(loss {loss}); try a smaller learning rate than train.lr = {lr}"
        )


def fit(
    model: Network,
    optimizer: SGD,
    train: Split,
    test: Split,
    epochs: int,
    batch_size: int,
    seed: int,
    on_epoch: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Train ``model`` in place; return one record per epoch.

    Each epoch visits the training samples once in a fresh order drawn from ``seed``, in batches
    of ``batch_size`` (the last may be smaller), with one optimizer step per batch. After each
    epoch the whole train and test parts are evaluated: the record holds ``epoch`` (from 1),
    ``train_loss``, ``train_accuracy``, ``test_loss``, ``test_accuracy``. Raises
    :class:`TrainingDiverged` as soon as an epoch ends with a non-finite loss or weight.
    """
    xp = namespace(train.x)
    rng = np.random.default_rng(seed)
    n = train.x.shape[0]
    params = model.parameters()
    history = []
    for epoch in range(1, epochs + 1):
        order = xp.asarray(rng.permutation(n))
        x = xp.take(train.x, order, axis=0)  # one gather per epoch; batches are slices
        targets = xp.take(train.targets, order, axis=0)
        for start in range(0, n, batch_size):
            stop = min(start + batch_size, n)
            model.loss_and_backward(x[start:stop, :], targets[start:stop, :])
            optimizer.step(params, model.gradients())
        train_loss, train_accuracy = evaluate(model, train)
        _check_finite(model, epoch, train_loss, optimizer.lr)
        test_loss, test_accuracy = evaluate(model, test)
        record = {
            "epoch": epoch,
            "train_loss": train_loss,
            "train_accuracy": train_accuracy,
            "test_loss": test_loss,
            "test_accuracy": test_accuracy,
        }
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
    return history
