"""The train stage's work: build the network from params, move the data once, train, time it."""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections.abc import Callable

import numpy as np
from tqdm import tqdm

from signnet.modelfile import TrainedModel
from signnet.nn.backend import select_backend, to_device
from signnet.nn.losses import encode_targets
from signnet.nn.model import ModelConfig, Network
from signnet.nn.optimizers import make_optimizer
from signnet.nn.training import Split, fit
from signnet.params import ModelParams, TrainParams

log = logging.getLogger(__name__)


@dataclasses.dataclass
class TrainingResult:
    model: TrainedModel
    history: list[dict]
    seconds: float
    device: str


def model_config(params: ModelParams, n_features: int, n_classes: int) -> ModelConfig:
    """The architecture that ``model`` params describe for this data."""
    return ModelConfig(
        n_features=n_features,
        n_classes=n_classes,
        hidden=tuple(params.hidden),
        activation=params.activation,
        init=params.init,
        init_scale=params.init_scale,
        dtype=params.dtype,
    )


def _progress(epochs: int) -> tuple[Callable[[dict], None], Callable[[], None]]:
    """(on_epoch, close): a one-line tqdm bar in a terminal, a plain line per epoch otherwise."""
    summary = (
        "train loss {train_loss:.4f} acc {train_accuracy:.3f} | "
        "test loss {test_loss:.4f} acc {test_accuracy:.3f}"
    )
    if sys.stderr.isatty():
        bar = tqdm(total=epochs, unit="epoch", desc="train", dynamic_ncols=True)

        def on_epoch(record: dict) -> None:
            bar.set_postfix_str(summary.format(**record), refresh=False)
            bar.update(1)

        return on_epoch, bar.close

    def log_epoch(record: dict) -> None:
        log.info("epoch %d/%d: %s", record["epoch"], epochs, summary.format(**record))

    return log_epoch, lambda: None


def train_network(
    train: dict[str, np.ndarray],
    test: dict[str, np.ndarray],
    model_params: ModelParams,
    train_params: TrainParams,
) -> TrainingResult:
    """Train on the split artifacts ``train`` and ``test`` (x, labels, images, classes, scaling)."""
    backend = select_backend(train_params.device)
    xp = backend.xp
    n_classes = len(train["classes"])
    config = model_config(model_params, train["x"].shape[1], n_classes)
    dtype = getattr(xp, config.dtype)

    def to_split(part: dict[str, np.ndarray]) -> Split:
        targets = encode_targets(part["labels"], n_classes)
        return Split(
            to_device(part["x"], xp, dtype),
            to_device(targets, xp, dtype),
            to_device(part["labels"], xp),
        )

    train_split, test_split = to_split(train), to_split(test)
    network = Network.initialise(config, train_params.seed, xp)
    on_epoch, close = _progress(train_params.epochs)
    start = time.perf_counter()
    try:
        history = fit(
            network,
            make_optimizer(train_params),
            train_split,
            test_split,
            epochs=train_params.epochs,
            batch_size=train_params.batch_size,
            seed=train_params.seed,
            on_epoch=on_epoch,
        )
    finally:
        close()
    seconds = time.perf_counter() - start
    image_size = train["images"].shape[1]
    model = TrainedModel(
        network,
        train["classes"],
        image_size,
        train["offset"],
        train["scale"],
        training=dataclasses.asdict(train_params),
    )
    return TrainingResult(model, history, seconds, backend.device)
