"""Convolution, pooling, reshape and dropout: forward against plain loops, backward against
central differences, and the same numbers under array-api-strict (no NumPy-only call)."""

import dataclasses

import array_api_strict
import numpy as np
import pytest

from signnet.data.photo_range import PhotoRange
from signnet.data.preprocessing import Preprocessing
from signnet.modelfile import TrainedModel, load_model, save_model
from signnet.nn import model as model_module
from signnet.nn.activations import ACTIVATIONS
from signnet.nn.backend import to_numpy
from signnet.nn.losses import encode_targets
from signnet.nn.model import Network
from signnet.nn.optimizers import Adam
from signnet.nn.training import Samples, fit
from tests.conftest import layer, network_config
from tests.test_nn_gradients import assert_backward, numeric_gradient


def conv_layer(weights, bias, k):
    c_in = weights.shape[0] // (k * k)
    state = {"W": weights, "b": bias}
    return layer("conv2d", state, channels_in=c_in, channels=weights.shape[1], kernel_size=k)


def inside(images):
    """Images (N, H, W, C) as the network lays them out, (C, H, W, N)."""
    return np.ascontiguousarray(np.transpose(images, (3, 1, 2, 0)))


def outside(images):
    """Images (C, H, W, N) from the network as (N, H, W, C)."""
    return np.transpose(images, (3, 1, 2, 0))


def conv_by_loops(x, w, b, k):
    """The convolution written out, one output pixel at a time: (N, H, W, C_in) -> C_out."""
    n, h, width, c = x.shape
    pad = k // 2
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    kernel = w.reshape(k, k, c, -1)
    out = np.zeros((n, h, width, w.shape[1]))
    for i in range(h):
        for j in range(width):
            patch = padded[:, i : i + k, j : j + k, :]  # (N, k, k, C_in)
            out[:, i, j, :] = np.einsum("nyxc,yxcf->nf", patch, kernel) + b
    return out


def pool_by_loops(x):
    n, h, w, c = x.shape
    out = np.zeros((n, h // 2, w // 2, c))
    for i in range(h // 2):
        for j in range(w // 2):
            out[:, i, j, :] = x[:, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2, :].max(axis=(1, 2))
    return out


@pytest.mark.parametrize(
    ("k", "c_in", "shape"), [(3, 1, (2, 5, 4)), (3, 2, (1, 4, 4)), (5, 3, (2, 3, 6))]
)
def test_conv_forward_and_backward(k, c_in, shape):
    rng = np.random.default_rng(10)
    n, h, w = shape
    x = rng.normal(size=(n, h, w, c_in))
    weights, bias = rng.normal(size=(k * k * c_in, 3)), rng.normal(size=3)
    upstream = rng.normal(size=(n, h, w, 3))
    conv = conv_layer(weights, bias, k)
    expected = conv_by_loops(x, weights, bias, k)
    np.testing.assert_allclose(
        outside(conv.forward(inside(x), training=True)), expected, rtol=1e-12
    )
    grad_x = outside(conv.backward(inside(upstream)))

    def loss():
        return np.sum(upstream * conv_by_loops(x, weights, bias, k))

    assert_backward(conv.grads["W"], numeric_gradient(loss, weights), "conv W")
    assert_backward(conv.grads["b"], numeric_gradient(loss, bias), "conv b")
    assert_backward(grad_x, numeric_gradient(loss, x), "conv input")


def test_an_even_kernel_is_refused_by_the_one_rule():
    with pytest.raises(ValueError, match="must be odd"):
        dataclasses.replace(cnn(), kernel_size=2)


@pytest.mark.parametrize("shape", [(2, 4, 6, 3), (1, 5, 7, 2)])
def test_max_pool_forward_and_backward(shape):
    rng = np.random.default_rng(11)
    x = rng.permutation(np.prod(shape)).reshape(shape) / 10.0  # distinct: no ties
    n, h, w, c = shape
    upstream = rng.normal(size=(n, h // 2, w // 2, c))
    pool = layer("max_pool2d")
    np.testing.assert_array_equal(outside(pool.forward(inside(x), training=True)), pool_by_loops(x))
    numeric = numeric_gradient(lambda: np.sum(upstream * pool_by_loops(x)), x)
    assert_backward(outside(pool.backward(inside(upstream))), numeric, "max-pool")


@pytest.mark.parametrize(
    ("window", "winner"),
    [
        ([[1, 0], [0, 1]], [[1, 0], [0, 0]]),
        ([[0, 0], [0, 1]], [[0, 0], [0, 1]]),
        ([[0, 1], [1, 0]], [[0, 1], [0, 0]]),  # top right comes before bottom left
        ([[0, 0], [1, 1]], [[0, 0], [1, 0]]),
        ([[2, 2], [2, 2]], [[1, 0], [0, 0]]),
        ([[0, 1], [0, 1]], [[0, 1], [0, 0]]),
    ],
)
def test_max_pool_gives_the_gradient_of_tied_maxima_to_the_first(window, winner):
    """As PyTorch does: the first of the window's maxima in row order."""
    x = np.array(window, dtype=float).reshape(1, 2, 2, 1)
    pool = layer("max_pool2d")
    pool.forward(inside(x), training=True)
    grad = outside(pool.backward(np.full((1, 1, 1, 1), 3.0)))
    np.testing.assert_array_equal(grad[0, :, :, 0], 3.0 * np.array(winner))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_pooling_before_the_activation_is_the_same_as_after(name):
    """Why a block pools before its activation: for every activation, the same outputs and
    the same input gradients (values distinct, so no window ties)."""
    rng = np.random.default_rng(16)
    x = inside(rng.permutation(2 * 6 * 4 * 3).reshape(2, 6, 4, 3) / 8.0 - 4.0)
    upstream = inside(rng.normal(size=(2, 3, 2, 3)))
    chains = ([layer("activation", name=name), layer("max_pool2d")],) + (
        [layer("max_pool2d"), layer("activation", name=name)],
    )
    results = []
    for chain in chains:
        out = x
        for stage in chain:
            out = stage.forward(out, training=True)
        grad = upstream
        for stage in reversed(chain):
            grad = stage.backward(grad)
        results.append((out, grad))
    (out_after, grad_after), (out_before, grad_before) = results
    np.testing.assert_array_equal(out_before, out_after)
    np.testing.assert_allclose(grad_before, grad_after, rtol=1e-15, atol=0)


def test_every_activation_is_non_decreasing():
    """The condition for pooling first (see signnet.nn.architecture)."""
    z = np.concatenate([np.linspace(-50, 50, 100_001), [-1e300, -1e-300, 0.0, 1e-300, 1e300]])
    z.sort()
    for activation in ACTIVATIONS.values():
        for dtype in (np.float32, np.float64):
            with np.errstate(over="ignore"):
                values = activation.forward(z.astype(dtype), np)
            assert np.all(np.diff(values) >= 0), activation.name


def test_reshape_lays_rows_out_as_images_and_back():
    x = np.arange(24.0).reshape(2, 12)  # two samples of (h, w, c) = (2, 3, 2) pixels
    to_images, to_rows = layer("reshape", shape=[2, 3, 2]), layer("reshape", shape=[-1])
    images = to_images.forward(x, training=True)
    assert images.shape == (2, 2, 3, 2) and images.flags.c_contiguous
    np.testing.assert_array_equal(outside(images), x.reshape(2, 2, 3, 2))
    np.testing.assert_array_equal(to_rows.forward(images, training=True), x)
    np.testing.assert_array_equal(to_rows.backward(x), images)
    np.testing.assert_array_equal(to_images.backward(images), x)


def test_dropout_is_seeded_scaled_and_off_at_inference():
    x = np.ones((400, 50))
    dropout = layer("dropout", rate=0.25)
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(dropout.forward(x, training=False, rng=rng), x)  # inference
    np.testing.assert_array_equal(dropout.backward(x), x)
    out = dropout.forward(x, training=True, rng=np.random.default_rng(0))
    assert set(np.unique(out)) == {0.0, 1 / 0.75}
    assert abs(np.mean(out == 0) - 0.25) < 0.01
    np.testing.assert_array_equal(dropout.backward(x), out)  # the same units carry the gradient
    again = layer("dropout", rate=0.25).forward(x, training=True, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(again, out)
    with pytest.raises(ValueError, match="generator"):
        dropout.forward(x, training=True)


def test_conv_and_pool_are_backend_neutral():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(2, 6, 5, 2))
    weights, bias = rng.normal(size=(18, 4)), rng.normal(size=4)
    upstream = rng.normal(size=(2, 3, 2, 4))
    results = []
    for xp in (array_api_strict, np):
        conv = conv_layer(xp.asarray(weights), xp.asarray(bias), 3)
        pool = layer("max_pool2d")
        out = pool.forward(conv.forward(xp.asarray(inside(x)), training=True), training=True)
        grad = conv.backward(pool.backward(xp.asarray(inside(upstream))))
        results.append([to_numpy(a) for a in (out, grad, conv.grads["W"], conv.grads["b"])])
    for strict, plain in zip(*results, strict=True):
        np.testing.assert_allclose(strict, plain, rtol=1e-12)


def cnn(n_classes=3, dropout=0.0, activation="tanh", side=6, dtype="float64", batch_norm=False):
    return network_config(
        side * side,
        n_classes,
        conv=(2, 3),
        hidden=(4,),
        dropout=dropout,
        batch_norm=batch_norm,
        activation=activation,
        init="he",
        dtype=dtype,
    )


@pytest.mark.parametrize(("n_classes", "dropout"), [(2, 0.0), (3, 0.0), (3, 0.5)])
def test_whole_cnn_backward(n_classes, dropout):
    rng = np.random.default_rng(13)
    x = rng.normal(size=(5, 36))
    targets = encode_targets(rng.integers(0, n_classes, 5), n_classes)
    network = Network.initialise(cnn(n_classes, dropout), 3, np)
    assert [type(layer).__name__ for layer in network.layers][:5] == [
        "Reshape",
        "Conv2D",
        "MaxPool2D",
        "ActivationLayer",
        "Conv2D",
    ]
    network.compute_gradients(x, targets, np.random.default_rng(0))
    for i, (params, grads) in enumerate(
        zip(network.parameters(), network.gradients(), strict=True)
    ):
        for name in params:
            numeric = numeric_gradient(
                lambda: network.loss.loss(
                    network.forward(x, training=True, rng=np.random.default_rng(0)), targets
                ),  # the same dropout masks as the analytic pass
                params[name],
            )
            assert_backward(grads[name], numeric, f"CNN layer {i} {name}")


def test_cnn_training_is_backend_neutral_and_its_file_round_trips(tmp_path):
    rng = np.random.default_rng(14)
    images = rng.integers(0, 256, (12, 6, 6), dtype=np.uint8)
    labels = np.arange(12) % 3
    preprocessing = Preprocessing.fit(images, "standardize")
    x = preprocessing.features(images)
    results = []
    for xp in (array_api_strict, np):
        network = Network.initialise(cnn(dropout=0.25), 5, xp)
        data = Samples(xp.asarray(x), xp.asarray(encode_targets(labels, 3)), xp.asarray(labels))
        adam = Adam(lr=0.01, beta1=0.9, beta2=0.999, weight_decay=0.0)
        history = fit(network, adam, data, data, 2, 4, seed=1)
        results.append((history, [to_numpy(p) for lp in network.parameters() for p in lp.values()]))
    (h1, w1), (h2, w2) = results
    for a, b in zip(h1, h2, strict=True):
        assert a == pytest.approx(b, rel=1e-12)
    for a, b in zip(w1, w2, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    model = TrainedModel(
        network, np.array([1, 2, 3]), preprocessing, PhotoRange((0.0, 255.0), (0.0, 255.0)), {}
    )
    save_model(tmp_path / "cnn.npz", model)
    loaded = load_model(tmp_path / "cnn.npz")
    assert loaded.network.config == network.config
    np.testing.assert_array_equal(loaded.predict_proba(images), model.predict_proba(images))


def test_inference_in_chunks_equals_one_pass(monkeypatch):
    network = Network.initialise(cnn(), 0, np)
    x = np.random.default_rng(15).normal(size=(9, 36))
    whole = network.logits(x)
    monkeypatch.setattr(model_module, "INFERENCE_FLOATS", 2 * network.config.floats_per_sample())
    np.testing.assert_allclose(network.logits(x), whole, rtol=1e-12)  # 5 chunks of 2 rows
