"""The training loop: seeded mini-batch descent with per-epoch evaluation and divergence checks.

Arrays arrive already on the device (see :mod:`signnet.nn.backend`); the loop moves nothing but
one permutation per epoch (N,) from the host, and reads back a few scalars per epoch.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from signnet.errors import SignnetError
from signnet.nn.backend import namespace
from signnet.nn.model import Network
from signnet.nn.optimizers import SGD

Array = Any


class TrainingDiverged(SignnetError):
    """The loss or a weight became NaN or infinite; ``epoch`` and ``lr`` say when and with what."""

    def __init__(self, epoch: int, what: str, lr: float):
        super().__init__(
            f"training diverged at epoch {epoch}: {what} is not finite; "
            f"try a smaller learning rate than {lr}"
        )
        self.epoch, self.what, self.lr = epoch, what, lr


@dataclasses.dataclass
class Samples:
    """Labelled samples on the device: x (N, features), targets (N, units), labels (N,)."""

    x: Array
    targets: Array
    labels: Array


def loss_and_accuracy(model: Network, part: Samples) -> tuple[float, float]:
    """(mean loss, accuracy) of ``model`` on ``part``, as Python floats."""
    xp = namespace(part.x)
    logits = model.logits(part.x)
    if logits.shape[1] == 1:
        predicted = xp.astype(logits[:, 0] > 0, part.labels.dtype)
    else:
        predicted = xp.argmax(logits, axis=1)
    accuracy = xp.mean(xp.astype(predicted == part.labels, logits.dtype))
    return float(model.loss.loss(logits, part.targets)), float(accuracy)


def train_epochs(
    model: Network, optimizer: SGD, train: Samples, epochs: int, batch_size: int, seed: int
) -> Iterator[int]:
    """Train ``model`` in place, yielding the epoch number (from 1) after each epoch.

    Each epoch visits the training samples once in a fresh order drawn from ``seed``, in batches
    of ``batch_size`` (the last may be smaller), with one optimizer step per batch. Raises
    :class:`TrainingDiverged` when an epoch ends with a non-finite weight.
    """
    xp = namespace(train.x)
    rng = np.random.default_rng(seed)
    n = train.x.shape[0]
    params = model.parameters()
    for epoch in range(1, epochs + 1):
        order = xp.asarray(rng.permutation(n))
        x = xp.take(train.x, order, axis=0)  # one gather per epoch; batches are slices
        targets = xp.take(train.targets, order, axis=0)
        for start in range(0, n, batch_size):
            stop = min(start + batch_size, n)
            model.compute_gradients(x[start:stop, :], targets[start:stop, :], rng)
            optimizer.step(params, model.gradients())
        if not all(bool(xp.all(xp.isfinite(p))) for layer in params for p in layer.values()):
            raise TrainingDiverged(epoch, "a weight", optimizer.lr)
        yield epoch


def fit(
    model: Network,
    optimizer: SGD,
    train: Samples,
    test: Samples,
    epochs: int,
    batch_size: int,
    seed: int,
    on_epoch: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Train as :func:`train_epochs` does, evaluating after each epoch; return the records.

    After each epoch the whole train and test parts are evaluated: the record holds ``epoch``,
    ``train_loss``, ``train_accuracy``, ``test_loss``, ``test_accuracy``. Raises
    :class:`TrainingDiverged` as soon as an epoch ends with a non-finite loss or weight.
    """
    history = []
    for epoch in train_epochs(model, optimizer, train, epochs, batch_size, seed):
        train_loss, train_accuracy = loss_and_accuracy(model, train)
        if not math.isfinite(train_loss):
            raise TrainingDiverged(epoch, f"the training loss ({train_loss})", optimizer.lr)
        test_loss, test_accuracy = loss_and_accuracy(model, test)
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
