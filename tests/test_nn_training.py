import copy
import importlib
import sys

import array_api_strict
import numpy as np
import pytest

from signnet.data.photo_range import PhotoRange
from signnet.data.preprocessing import Preprocessing
from signnet.modelfile import TrainedModel, load_model, save_model
from signnet.nn import backend
from signnet.nn.backend import BackendError, select_backend, to_numpy
from signnet.nn.losses import encode_targets
from signnet.nn.model import Network
from signnet.nn.optimizers import SGD, Adam, Momentum
from signnet.nn.training import Samples, TrainingDiverged, fit, loss_and_accuracy
from tests.conftest import dense


def blobs(n_classes, n=40, features=6, seed=0):
    """Separable clusters: features (n, features), labels (n,)."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % n_classes
    centres = rng.normal(size=(n_classes, features)) * 3
    return centres[labels] + rng.normal(size=(n, features)), labels


def split_in(xp, x, labels, n_classes):
    return Samples(xp.asarray(x), xp.asarray(encode_targets(labels, n_classes)), xp.asarray(labels))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(
    "optimizer",
    [
        SGD(lr=0.1, weight_decay=0.01),
        Momentum(lr=0.05, momentum=0.9, weight_decay=0.0),
        Adam(lr=0.01, beta1=0.9, beta2=0.999, weight_decay=0.0),
    ],
)
def test_training_is_backend_neutral(n_classes, optimizer):
    """A training run under array-api-strict (which rejects NumPy-only calls) equals NumPy's."""
    x, labels = blobs(n_classes)
    config = dense(6, n_classes, (5, 4), "tanh")
    results = []
    for xp in (array_api_strict, np):
        network = Network.initialise(config, 3, xp)
        data = split_in(xp, x, labels, n_classes)
        history = fit(network, copy.deepcopy(optimizer), data, data, 3, 16, seed=1)
        weights = [to_numpy(p) for layer in network.parameters() for p in layer.values()]
        probabilities = to_numpy(network.predict_proba(data.x))
        assert type(network.parameters()[0]["W"]).__module__.startswith(xp.__name__)
        results.append((history, weights, probabilities))
    (h1, w1, p1), (h2, w2, p2) = results
    assert len(h1) == len(h2)
    for strict_record, numpy_record in zip(h1, h2, strict=True):
        assert strict_record == pytest.approx(numpy_record, rel=1e-12)
    for a, b in zip(w1, w2, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(p1.sum(axis=1), 1.0)
    np.testing.assert_allclose(p1, p2, rtol=1e-12)


def test_training_learns_separable_data():
    x, labels = blobs(3, n=90)
    network = Network.initialise(dense(6, 3, (8,), "relu", "he"), 0, np)
    data = split_in(np, x, labels, 3)
    history = fit(network, SGD(lr=0.1, weight_decay=0.0), data, data, 30, 10, seed=0)
    assert history[0]["train_loss"] > history[-1]["train_loss"]
    assert history[-1]["train_accuracy"] == 1.0
    assert [r["epoch"] for r in history] == list(range(1, 31))


def test_float32_stays_float32():
    x, labels = blobs(2)
    network = Network.initialise(dense(6, 2, (4,), dtype="float32"), 0, np)
    data = Samples(x.astype(np.float32), encode_targets(labels, 2).astype(np.float32), labels)
    adam = Adam(lr=0.01, beta1=0.9, beta2=0.999, weight_decay=0.0)
    fit(network, adam, data, data, 2, 8, seed=0)
    assert {p.dtype for layer in network.parameters() for p in layer.values()} == {
        np.dtype("float32")
    }


def test_divergence_is_reported_with_the_epoch():
    x, labels = blobs(2)
    network = Network.initialise(dense(6, 2, (16,), "relu"), 0, np)
    data = split_in(np, x, labels, 2)
    expected = r"diverged at epoch \d+: .* smaller learning rate than 100000000.0$"
    with pytest.raises(TrainingDiverged, match=expected), np.errstate(all="ignore"):
        fit(network, Momentum(lr=1e8, momentum=0.9, weight_decay=0), data, data, 20, 8, seed=0)


def test_model_file_round_trip_and_determinism(tmp_path):
    x, labels = blobs(2, features=16)
    images = np.clip(x.reshape(-1, 4, 4) * 20 + 128, 0, 255).astype(np.uint8)
    preprocessing = Preprocessing.fit(images, "standardize")
    paths = []
    for name in ("a.npz", "b.npz"):
        network = Network.initialise(dense(16, 2, (5,)), 7, np)
        model = TrainedModel(
            network,
            np.array([6, 8]),
            preprocessing,
            PhotoRange((0.0, 255.0), (0.0, 255.0)),
            {"lr": 0.1},
        )
        data = split_in(np, preprocessing.features(images), labels, 2)
        fit(network, SGD(lr=0.1, weight_decay=0.0), data, data, 3, 8, seed=2)
        save_model(tmp_path / name, model)
        paths.append(tmp_path / name)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    loaded = load_model(paths[0])
    assert loaded.network.config == model.network.config and loaded.training == {"lr": 0.1}
    assert (loaded.preprocessing.scaling, loaded.preprocessing.image_size) == ("standardize", 4)
    np.testing.assert_array_equal(loaded.preprocessing.offset, preprocessing.offset)
    np.testing.assert_array_equal(loaded.classes, [6, 8])
    np.testing.assert_array_equal(loaded.predict_proba(images), model.predict_proba(images))


def test_gpu_request_without_cupy_fails_clearly(monkeypatch, caplog):
    real_import = importlib.import_module

    def no_cupy(name, *args):
        if name == "cupy":
            raise ImportError("No module named 'cupy'")
        return real_import(name, *args)

    monkeypatch.setattr(backend.importlib, "import_module", no_cupy)
    with pytest.raises(BackendError, match=r"^the GPU cannot be used: CuPy is not"):
        select_backend("gpu")
    with caplog.at_level("INFO"):
        assert select_backend("auto").device == "cpu"
    assert "no GPU" in caplog.text


def test_gpu_request_without_a_device_fails_clearly(monkeypatch):
    class FakeRuntime:
        @staticmethod
        def getDeviceCount():  # noqa: N802 - CuPy's name
            raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    fake = type(sys)("cupy")
    fake.cuda = type(sys)("cupy.cuda")
    fake.cuda.runtime = FakeRuntime
    monkeypatch.setitem(sys.modules, "cupy", fake)
    with pytest.raises(BackendError, match="no usable CUDA device .*cudaErrorNoDevice"):
        select_backend("gpu")


@pytest.mark.parametrize("n_classes", [2, 3])
def test_training_figures_are_the_batches_own_scores_in_their_order(n_classes):
    """At learning rate 0 the weights never move, so the figures kept from the training steps
    (each sample scored in its shuffled batch) must equal one pass over the training part: a
    sample scored against another's target would not."""
    x, labels = blobs(n_classes, n=45)
    train = split_in(np, x, labels, n_classes)
    network = Network.initialise(dense(6, n_classes, (5,), "tanh", "xavier"), 0, np)
    history = fit(network, SGD(lr=0.0, weight_decay=0.0), train, None, 3, 7, seed=4)
    assert set(history[0]) == {"epoch", "train_loss", "train_accuracy"}  # no test part
    loss, accuracy = loss_and_accuracy(network, train)
    for record in history:
        assert record["train_loss"] == pytest.approx(loss, rel=1e-12)
        assert record["train_accuracy"] == accuracy
