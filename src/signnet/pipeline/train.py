"""The train stage's work: the network and optimizer from params, the data moved to the device
once, training, and the errors of the network library turned into messages about params."""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections.abc import Callable

import numpy as np
from tqdm import tqdm

from signnet.data.photo_range import PhotoRange
from signnet.data.preprocessing import Preprocessing
from signnet.data.stratify import StratifyError, stratified_indices
from signnet.modelfile import TrainedModel
from signnet.nn.augment import Augmentation
from signnet.nn.backend import BackendError, select_backend, to_device
from signnet.nn.losses import encode_targets
from signnet.nn.model import Network
from signnet.nn.optimizers import OPTIMIZERS, SGD
from signnet.nn.training import Samples, TrainingDiverged, fit
from signnet.params import ModelParams, ParamError, TrainParams

log = logging.getLogger(__name__)


@dataclasses.dataclass
class TrainingResult:
    """The trained model, its per-epoch history, and the wall time of training (for the log and
    the benchmarks only: no tracked output holds a time)."""

    model: TrainedModel
    history: list[dict]
    seconds: float


def optimizer_settings(params: TrainParams) -> dict:
    """Each setting the constructor of the optimizer ``train.optimizer`` names takes (``lr``,
    ``momentum``...: the params keys are the constructor's argument names), from params."""
    return OPTIMIZERS[params.optimizer].settings_from(params.model_dump())


def augmentation(params: TrainParams, features: Callable | None) -> Augmentation:
    """The augmentation the ``train.augment_*`` keys set, making the features of the transformed
    photos with ``features`` (e.g. :meth:`Preprocessing.features_of`; None: the photos given to
    it are the features)."""
    return Augmentation(
        params.augment_shift,
        params.augment_rotation,
        params.augment_scale,
        params.augment_mirror,
        params.augment_blur,
        params.augment_brightness,
        params.augment_contrast,
        params.augment_noise,
        features,
    )


def training_inputs(
    params: TrainParams, preprocessing: Preprocessing, images: np.ndarray, dtype: str, xp
) -> tuple[Augmentation, np.ndarray]:
    """The augmentation the ``train.augment_*`` keys set, making each transformed batch's
    features with ``preprocessing`` in ``dtype`` on ``xp``'s device, and what training takes as
    x for the training photos uint8 ``images`` (n, S, S), on the host: with an active
    augmentation, their grey levels float64 (n, S*S), which it transforms batch by batch; else
    their features (n, S*S) in ``dtype``, made once."""
    cast = getattr(xp, dtype)
    recipe = augmentation(params, lambda u: xp.astype(preprocessing.features_of(u), cast))
    if recipe.active:
        return recipe, images.reshape(len(images), -1).astype(np.float64)
    return recipe, preprocessing.features(images).astype(dtype)


def make_optimizer(params: TrainParams) -> SGD:
    """The optimizer ``train.optimizer`` names, with :func:`optimizer_settings`."""
    return OPTIMIZERS[params.optimizer](**optimizer_settings(params))


def _summary(record: dict) -> str:
    """An epoch's figures on one line: each part's loss and accuracy that the record holds."""
    return " | ".join(
        f"{part} loss {record[f'{part}_loss']:.4f} acc {record[f'{part}_accuracy']:.3f}"
        for part in ("train", "validation", "test")
        if f"{part}_loss" in record
    )


def _progress(epochs: int) -> tuple[Callable[[dict], None], Callable[[], None]]:
    """(on_epoch, close): a one-line tqdm bar in a terminal, a plain line per epoch otherwise."""
    if sys.stderr.isatty():
        bar = tqdm(total=epochs, unit="epoch", desc="train", dynamic_ncols=True)

        def on_epoch(record: dict) -> None:
            bar.set_postfix_str(_summary(record), refresh=False)
            bar.update(1)

        return on_epoch, bar.close

    def log_epoch(record: dict) -> None:
        log.info("epoch %d/%d: %s", record["epoch"], epochs, _summary(record))

    return log_epoch, lambda: None


def train_network(
    train: dict[str, np.ndarray],
    test: dict[str, np.ndarray] | None,
    preprocessing: Preprocessing,
    model_params: ModelParams,
    train_params: TrainParams,
    progress: bool = True,
    on_history: Callable[[list[dict]], None] | None = None,
) -> TrainingResult:
    """Train on the part ``train`` (images, labels, classes; see :mod:`signnet.pipeline.split`),
    scoring the part ``test`` after each epoch unless it is None (cross-validation's folds,
    which score their test part once, at the end); ``preprocessing`` turns images into features.
    With ``progress``, each epoch's figures are shown (a bar in a terminal, else a log line);
    ``on_history``, if given, gets the history so far after every epoch (the train stage writes
    it, so that ``dvc plots show`` draws the curves while they grow)."""
    try:
        backend = select_backend(train_params.device)
    except BackendError as error:
        problem = f"is not usable here: {error}"
        raise ParamError([("train.device", train_params.device, problem)]) from None
    xp = backend.xp
    classes = train["classes"]  # (K,), the digit of each class index
    n_classes = len(classes)
    try:
        config = model_params.config(preprocessing.offset.shape[0], n_classes)
    except ValueError as error:  # depth against image size: params check it too, for params
        # that agree with the images; this catches a preprocessing made for another size
        problem = f"does not fit these images: {error}; use fewer blocks or a larger image_size"
        raise ParamError([("model.conv", model_params.conv, problem)]) from None
    dtype = getattr(xp, config.dtype)

    def on_device(part: dict[str, np.ndarray], x: np.ndarray | None = None) -> Samples:
        """The part's samples: x its features (n, S*S) in the network's dtype, unless given
        (the trained part's, from :func:`training_inputs`)."""
        if x is None:
            x = preprocessing.features(part["images"]).astype(config.dtype)
        return Samples(
            to_device(x, xp),  # (n, S*S)
            to_device(encode_targets(part["labels"], n_classes), xp, dtype),  # (n, units)
            to_device(part["labels"], xp),  # (n,)
        )

    # the whole training part, as the scaling, with the light training gave it
    photo_range = PhotoRange.fit(
        train["images"], train_params.augment_brightness, train_params.augment_contrast
    )
    validation = None
    if train_params.validation_fraction:
        try:
            fit_idx, val_idx = stratified_indices(
                train["labels"], classes, train_params.validation_fraction, train_params.seed
            )
        except StratifyError as error:
            key = ("train.validation_fraction", train_params.validation_fraction)
            raise ParamError([(*key, f"does not fit: {error}")]) from None
        validation = on_device({name: train[name][val_idx] for name in ("images", "labels")})
        train = {name: train[name][fit_idx] for name in ("images", "labels")}  # the rest
    recipe, x = training_inputs(train_params, preprocessing, train["images"], config.dtype, xp)
    train_samples = on_device(train, x)
    test_samples = None if test is None else on_device(test)
    network = Network.initialise(config, train_params.seed, xp)
    show, close = (
        _progress(train_params.epochs) if progress else (lambda record: None, lambda: None)
    )
    so_far: list[dict] = []

    def on_epoch(record: dict) -> None:
        show(record)
        if on_history is not None:
            so_far.append(record)
            on_history(list(so_far))

    start = time.perf_counter()
    try:
        history = fit(
            network,
            make_optimizer(train_params),
            train_samples,
            test_samples,
            epochs=train_params.epochs,
            batch_size=train_params.batch_size,
            seed=train_params.seed,
            on_epoch=on_epoch,
            augmentation=recipe,
            schedule=train_params.schedule,
            validation=validation,
            patience=train_params.patience,
        )
    except TrainingDiverged as error:
        raise ParamError([("train.lr", train_params.lr, f"is too large here: {error}")]) from None
    finally:
        close()
    seconds = time.perf_counter() - start
    samples = len(train["labels"]) * len(history)
    log.info(
        "trained %d epochs on %s in %.2f s (%s samples/s)",
        len(history),
        backend.device,
        seconds,
        f"{samples / seconds:,.0f}",
    )
    training = train_params.model_dump() | {"computed_on": backend.device}
    model = TrainedModel(network, classes, preprocessing, photo_range, training)
    return TrainingResult(model, history, seconds)
