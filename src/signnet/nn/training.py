"""The training loop: seeded mini-batch descent with per-epoch scores and divergence checks,
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
# 1e5), so a finite loss is checked too. The training loss is the mean over an epoch's batches,
# and the first epoch's takes in the first steps' transients (a high but recovering learning
# rate), so the limit applies from the second epoch; finiteness is checked from the first.
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
    """Labelled samples on the device: x (N, features), targets (N, units), labels (N,). For the
    part trained on with an active augmentation, x holds the photos (N, S*S) instead, and the
    augmentation makes each batch's features (:class:`~signnet.nn.augment.Augmentation`)."""

    x: Array
    targets: Array
    labels: Array


def scores(model: Network, logits: Array, targets: Array, labels: Array) -> tuple[float, float]:
    """(mean loss, accuracy) of ``logits`` (N, units) against ``targets`` and ``labels``."""
    xp = namespace(logits)
    if logits.shape[1] == 1:
        predicted = xp.astype(logits[:, 0] > 0, labels.dtype)
    else:
        predicted = xp.argmax(logits, axis=1)
    accuracy = xp.mean(xp.astype(predicted == labels, logits.dtype))
    return float(model.loss.loss(logits, targets)), float(accuracy)


def loss_and_accuracy(model: Network, part: Samples) -> tuple[float, float]:
    """(mean loss, accuracy) of ``model`` on ``part`` (one inference pass), as Python floats."""
    return scores(model, model.logits(part.x), part.targets, part.labels)


@dataclasses.dataclass(frozen=True)
class Epoch:
    """An epoch done: its number (from 1), and the mean loss and the accuracy over its batches,
    each batch scored by the forward pass of its own training step (before that step's update,
    with dropout and augmentation as trained)."""

    epoch: int
    loss: float
    accuracy: float


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
) -> Iterator[Epoch]:
    """Train ``model`` in place, yielding an :class:`Epoch` after each epoch.

    Each epoch visits the training samples once in a fresh order drawn from ``seed``, in batches
    of ``batch_size`` (the last may be smaller), with one optimizer step per batch, at the
    optimizer's initial rate times ``SCHEDULES[schedule].factor(epoch, epochs)``. With an active
    ``augmentation``, every sample is transformed anew each epoch. The training steps' logits
    are kept (one (N, units) array) and scored once per epoch: no second pass over the training
    part. Raises :class:`TrainingDiverged` when an epoch ends with a non-finite weight.
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule {schedule!r} is not one of {', '.join(SCHEDULES)}")
    xp = namespace(train.x)
    rng = np.random.default_rng(seed)
    n = train.x.shape[0]
    trainable = model.trainable()
    initial_lr = optimizer.lr
    seen = None  # (N, units): each sample's logits from its batch's training step, this epoch
    for epoch in range(1, epochs + 1):
        optimizer.lr = initial_lr * SCHEDULES[schedule].factor(epoch, epochs)
        order = xp.asarray(rng.permutation(n))
        for start in range(0, n, batch_size):
            stop = min(start + batch_size, n)
            rows = order[start:stop]
            x = xp.take(train.x, rows, axis=0)  # gathered per batch: still in cache for use
            if augmentation is not None and augmentation.active:
                x = augmentation.apply(x, rng)
            logits = model.compute_gradients(x, xp.take(train.targets, rows, axis=0), rng)
            if seen is None:
                seen = xp.empty((n, logits.shape[1]), dtype=logits.dtype)
            seen[start:stop, ...] = logits
            optimizer.step(trainable)
        states = model.states()  # the weights, and any running statistics
        if not all(bool(xp.all(xp.isfinite(a))) for state in states for a in state.values()):
            raise TrainingDiverged(epoch, "a weight is not finite", optimizer.lr)
        targets = xp.take(train.targets, order, axis=0)  # in the order the batches saw them
        yield Epoch(epoch, *scores(model, seen, targets, xp.take(train.labels, order, axis=0)))


def fit(
    model: Network,
    optimizer: SGD,
    train: Samples,
    test: Samples | None,
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
    """Train as :func:`train_epochs` does, scoring each epoch; return the records.

    Each epoch's record holds ``epoch``, ``train_loss`` and ``train_accuracy`` (over the epoch's
    batches as they were trained, see :class:`Epoch`: no second pass over the training part),
    ``test_loss`` and ``test_accuracy`` (the whole test part after the epoch; left out with no
    ``test`` part, when only the trained model is wanted), and with a
    ``validation`` part also ``validation_loss`` and ``validation_accuracy`` (likewise). With a
    validation part, training stops once ``patience`` epochs (if > 0) pass without a lower
    validation loss, and the weights of the epoch with the lowest validation loss are restored
    at the end; the test part never chooses anything. Raises :class:`TrainingDiverged` as soon
    as an epoch ends with a non-finite weight or a training loss that is not finite or (from
    the second epoch) above :data:`DIVERGED` times the loss of guessing.
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
    for epoch, train_loss, train_accuracy in (dataclasses.astuple(e) for e in epochs_run):
        if not math.isfinite(train_loss):
            raise TrainingDiverged(
                epoch, f"the training loss ({train_loss}) is not finite", optimizer.lr
            )
        if epoch > 1 and train_loss > DIVERGED * chance:
            raise TrainingDiverged(
                epoch,
                f"the training loss ({train_loss:.4g}) is more than {DIVERGED:g} times that of "
                f"guessing ({chance:.4f})",
                optimizer.lr,
            )
        record = {"epoch": epoch, "train_loss": train_loss, "train_accuracy": train_accuracy}
        if test is not None:
            test_loss, test_accuracy = loss_and_accuracy(model, test)
            record |= {"test_loss": test_loss, "test_accuracy": test_accuracy}
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
