"""The training loop: seeded mini-batch descent with per-epoch evaluation and divergence checks,
and the optional parts of a training recipe: augmentation, a learning-rate schedule, and early
stopping on a validation part with the best weights restored.

Arrays arrive already on the device (see :mod:`signnet.nn.backend`); the loop moves nothing but
one permutation per epoch (N,) from the host (and, with augmentation, each batch's transforms),
and reads back a few scalars per epoch. Every random draw comes from one generator seeded with
``seed``, in a fixed order, so a run is reproducible; the optional parts draw nothing when off.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from signnet.errors import SignnetError
from signnet.nn.augment import Augmentation
from signnet.nn.backend import namespace
from signnet.nn.model import Network
from signnet.nn.optimizers import SGD
from signnet.nn.schedules import SCHEDULES

Array = Any


# Training has diverged when an epoch ends with a mean training loss above this many times the
# loss of guessing (log K for K classes): the right class then gets e^(-10 log K) on average,
# far below chance. The loss can explode and stay finite (a learning rate of 1e6 keeps it near
# 1e5), so a finite loss is checked too.
DIVERGED = 10.0


class TrainingDiverged(SignnetError):
    """The loss exploded or a weight became NaN or infinite; ``epoch`` and ``lr`` say when and
    with what."""

    def __init__(self, epoch: int, what: str, lr: float):
        super().__init__(
            f"training diverged at epoch {epoch}: {what}; try a smaller learning rate than {lr}"
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
    model: Network,
    optimizer: SGD,
    train: Samples,
    epochs: int,
    batch_size: int,
    seed: int,
    *,
    augmentation: Augmentation | None = None,
    schedule: str = "constant",
) -> Iterator[int]:
    """Train ``model`` in place, yielding the epoch number (from 1) after each epoch.

    Each epoch visits the training samples once in a fresh order drawn from ``seed``, in batches
    of ``batch_size`` (the last may be smaller), with one optimizer step per batch, at the
    optimizer's initial rate times ``SCHEDULES[schedule].factor(epoch, epochs)``. With an active
    ``augmentation``, every sample is transformed anew each epoch. Raises
    :class:`TrainingDiverged` when an epoch ends with a non-finite weight.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule {schedule!r} is not one of {', '.join(SCHEDULES)}")
    xp = namespace(train.x)
    rng = np.random.default_rng(seed)
    n = train.x.shape[0]
    trainable = model.trainable()
    initial_lr = optimizer.lr
    for epoch in range(1, epochs + 1):
        optimizer.lr = initial_lr * SCHEDULES[schedule].factor(epoch, epochs)
        order = xp.asarray(rng.permutation(n))
        for start in range(0, n, batch_size):
            rows = order[start : min(start + batch_size, n)]
            x = xp.take(train.x, rows, axis=0)  # gathered per batch: still in cache for use
            if augmentation is not None and augmentation.active:
                x = augmentation.apply(x, rng)
            model.compute_gradients(x, xp.take(train.targets, rows, axis=0), rng)
            optimizer.step(trainable)
        states = model.states()  # the weights, and any running statistics
        if not all(bool(xp.all(xp.isfinite(a))) for state in states for a in state.values()):
            raise TrainingDiverged(epoch, "a weight is not finite", optimizer.lr)
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
    *,
    augmentation: Augmentation | None = None,
    schedule: str = "constant",
    validation: Samples | None = None,
    patience: int = 0,
) -> list[dict]:
    """Train as :func:`train_epochs` does, evaluating after each epoch; return the records.

    After each epoch the whole train and test parts are evaluated: the record holds ``epoch``,
    ``train_loss``, ``train_accuracy``, ``test_loss``, ``test_accuracy``, and with a
    ``validation`` part also ``validation_loss`` and ``validation_accuracy``. With a validation
    part, training stops once ``patience`` epochs (if > 0) pass without a lower validation loss,
    and the weights of the epoch with the lowest validation loss are restored at the end; the
    test part never chooses anything. Raises :class:`TrainingDiverged` as soon as an epoch ends
    with a non-finite weight or a training loss that is not finite or above :data:`DIVERGED`
    times the loss of guessing.
    """
    history: list[dict] = []
    best_loss, best_epoch, best_weights = math.inf, 0, None
    chance = math.log(model.config.n_classes)  # the loss of giving every class 1/K
    epochs_run = train_epochs(
        model,
        optimizer,
        train,
        epochs,
        batch_size,
        seed,
        augmentation=augmentation,
        schedule=schedule,
    )
    for epoch in epochs_run:
        train_loss, train_accuracy = loss_and_accuracy(model, train)
        if not math.isfinite(train_loss):
            raise TrainingDiverged(
                epoch, f"the training loss ({train_loss}) is not finite", optimizer.lr
            )
        if train_loss > DIVERGED * chance:
            raise TrainingDiverged(
                epoch,
                f"the training loss ({train_loss:.4g}) is more than {DIVERGED:g} times that of "
                f"guessing ({chance:.4f})",
                optimizer.lr,
            )
        test_loss, test_accuracy = loss_and_accuracy(model, test)
        record = {
            "epoch": epoch,
            "train_loss": train_loss,
            "train_accuracy": train_accuracy,
            "test_loss": test_loss,
            "test_accuracy": test_accuracy,
        }
        if validation is not None:
            loss, accuracy = loss_and_accuracy(model, validation)
            record |= {"validation_loss": loss, "validation_accuracy": accuracy}
            if loss < best_loss:
                best_loss, best_epoch, best_weights = loss, epoch, _copy(model.states())
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
        if validation is not None and patience and epoch - best_epoch >= patience:
            break
    if best_weights is not None:  # every array of the state: weights and running statistics
        for state, saved in zip(model.states(), best_weights, strict=True):
            for name, value in saved.items():
                state[name][...] = value
    return history


def _copy(states: list[dict[str, Array]]) -> list[dict[str, Array]]:
    return [
        {name: namespace(a).asarray(a, copy=True) for name, a in state.items()} for state in states
    ]
