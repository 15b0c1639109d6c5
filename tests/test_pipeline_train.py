"""The train stage's work: optimizers and networks from params, and library errors given the
params key that caused them."""

import re

import numpy as np
import pytest

from signnet.data.preprocessing import Preprocessing
from signnet.nn import backend
from signnet.nn.optimizers import OPTIMIZERS, Adam, Momentum
from signnet.params import ParamError
from signnet.pipeline.train import make_optimizer, train_network
from tests.conftest import repo_params


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_the_optimizer_gets_each_setting_its_constructor_takes(name):
    params = repo_params(
        train={"optimizer": name, "lr": 0.3, "momentum": 0.5, "beta1": 0.8, "beta2": 0.99}
    ).train
    optimizer = make_optimizer(params)
    assert type(optimizer) is OPTIMIZERS[name]
    assert (optimizer.lr, optimizer.weight_decay) == (0.3, 0.0)
    if isinstance(optimizer, Momentum):
        assert optimizer.momentum == 0.5
    if isinstance(optimizer, Adam):
        assert (optimizer.beta1, optimizer.beta2, optimizer.eps) == (0.8, 0.99, 1e-8)


def tiny_parts(n=24, size=4):
    rng = np.random.default_rng(0)
    labels = np.arange(n) % 2
    images = rng.integers(0, 256, (n, size, size), dtype=np.uint8)
    part = {"images": images, "labels": labels, "classes": np.array([6, 8])}
    return part, part, Preprocessing.fit(images, "standardize")


def test_an_unusable_device_is_reported_against_train_device(monkeypatch):
    def no_gpu():
        raise backend.BackendError("the GPU cannot be used: CuPy is not installed")

    monkeypatch.setitem(backend.DEVICES, "gpu", no_gpu)
    params = repo_params(train={"device": "gpu"})
    with pytest.raises(ParamError, match=r"^params: train.device = 'gpu' is not usable here: the"):
        train_network(*tiny_parts(), params.model, params.train)


def test_divergence_is_reported_against_train_lr():
    params = repo_params(model={"activation": "relu", "hidden": [16]}, train={"lr": 1e8})
    with pytest.raises(ParamError) as caught, np.errstate(all="ignore"):
        train_network(*tiny_parts(), params.model, params.train)
    assert str(caught.value).startswith(
        "params: train.lr = 100000000.0 is too large here: training diverged at epoch"
    )


def test_a_loss_that_explodes_but_stays_finite_is_divergence_too():
    # The reference network at a learning rate of 1e6: the loss stays finite (1e5 to 1e6
    # every epoch) but far above guessing's, and nothing is trained on. The limit applies from
    # the second epoch (the first epoch's mean holds the start's transients).
    params = repo_params(train={"lr": 1e6})
    with pytest.raises(ParamError) as caught, np.errstate(all="ignore"):
        train_network(*tiny_parts(), params.model, params.train)
    assert re.fullmatch(
        r"params: train.lr = 1000000.0 is too large here: training diverged at epoch 2: the "
        r"training loss \(\S+\) is more than 10 times that of guessing \(0.6931\); try a "
        r"smaller learning rate than 1000000.0",
        str(caught.value),
    ), caught.value


def test_training_records_params_and_device_but_no_time():
    params = repo_params(train={"epochs": 2})
    result = train_network(*tiny_parts(), params.model, params.train)
    assert result.model.training == params.train.model_dump() | {"computed_on": "cpu"}
    assert result.seconds > 0  # for the log and the benchmarks
    assert all(
        set(record) == {"epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy"}
        for record in result.history
    )


def test_the_history_so_far_is_given_after_every_epoch():
    """What the train stage writes after each epoch, for dvc plots show to draw: the history so
    far, growing by one epoch each time, the last time the whole history."""
    params = repo_params(train={"epochs": 3})
    given = []
    result = train_network(*tiny_parts(), params.model, params.train, on_history=given.append)
    assert [len(history) for history in given] == [1, 2, 3]
    assert given[-1] == result.history and given[1] == result.history[:2]


def test_validation_is_carved_from_the_training_part():
    params = repo_params(
        train={"epochs": 6, "validation_fraction": 0.25, "patience": 2, "augment_shift": 0.1}
    )
    result = train_network(*tiny_parts(), params.model, params.train)
    assert {"validation_loss", "validation_accuracy"} <= set(result.history[0])
    assert len(result.history) <= 6


def test_a_validation_fraction_that_leaves_a_class_empty_names_its_key():
    params = repo_params(train={"validation_fraction": 0.01})
    with pytest.raises(ParamError, match=r"^params: train.validation_fraction = 0.01 does not fit"):
        train_network(*tiny_parts(), params.model, params.train)


def test_convolution_blocks_too_many_for_the_image_size_name_model_conv():
    params = repo_params(model={"conv": [2, 2, 2]})  # 4 x 4 images allow two blocks
    with pytest.raises(ParamError, match=r"^params: model.conv = \[2, 2, 2\] does not fit these"):
        train_network(*tiny_parts(), params.model, params.train)
