"""What a network looks at (signnet.nn.explain): input gradients of the inference function
against finite differences, the weights as images against the layers' layouts, and the PCA
against scikit-learn's."""

import numpy as np
import pytest
from sklearn.decomposition import PCA

from signnet.nn import explain
from signnet.nn import model as model_module
from signnet.nn.losses import encode_targets
from signnet.nn.model import Network
from signnet.nn.parallel import using_threads
from tests.conftest import network_config

SIDE = 8
# (conv, hidden, batch_norm, dropout, classes): every kind of layer on the way back to the input.
NETWORKS = {
    "dense, batch norm, dropout, pair": ((), (5,), True, 0.3, 2),
    "cnn, batch norm, three classes": ((3, 2), (4,), True, 0.0, 3),
    "cnn without hidden layers": ((2,), (), False, 0.0, 2),
    "softmax regression": ((), (), False, 0.0, 3),
}


def trained(conv, hidden, batch_norm, dropout, classes, activation="tanh") -> Network:
    """A network after a few training steps (so running statistics and weights are not their
    starting values), with batch normalisation's statistics and scales set off their defaults."""
    config = network_config(
        SIDE * SIDE,
        classes,
        conv=conv,
        hidden=hidden,
        dropout=dropout,
        batch_norm=batch_norm,
        activation=activation,
    )
    network = Network.initialise(config, 0, np)
    rng = np.random.default_rng(1)
    for _ in range(3):
        labels = rng.integers(0, classes, 16)
        network.compute_gradients(
            rng.normal(size=(16, SIDE * SIDE)), encode_targets(labels, classes), rng
        )
    for layer in network.layers:
        if layer.kind == "batch_norm":
            shape = layer.params["gamma"].shape
            layer.params["gamma"] = rng.normal(size=shape)
            layer.buffers["running_mean"] = rng.normal(size=shape)
            layer.buffers["running_var"] = rng.uniform(0.5, 2.0, size=shape)
    return network


def scores(network: Network, x: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Each sample's class score at inference, as the module defines it."""
    logits = network.logits(x)
    if logits.shape[1] == 1:
        return np.where(classes == 1, logits[:, 0], -logits[:, 0])
    return logits[np.arange(len(classes)), classes]


def finite_differences(network, x, classes, eps=1e-6) -> np.ndarray:
    gradient = np.zeros_like(x)
    for j in range(x.shape[1]):
        step = np.zeros_like(x)
        step[:, j] = eps
        gradient[:, j] = (
            scores(network, x + step, classes) - scores(network, x - step, classes)
        ) / (2 * eps)
    return gradient


@pytest.mark.parametrize("name", sorted(NETWORKS))
def test_class_score_gradients_match_finite_differences(name):
    network = trained(*NETWORKS[name])
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6, SIDE * SIDE))
    classes = rng.integers(0, network.config.n_classes, 6)
    before = network.logits(x)
    gradients = explain.class_score_gradients(network, x, classes)
    expected = finite_differences(network, x, classes)
    assert np.abs(gradients - expected).max() <= 1e-7 * max(1.0, np.abs(expected).max())
    # Inference is unchanged, and training goes on as before: no input gradient for the first
    # layer with weights.
    np.testing.assert_array_equal(network.logits(x), before)
    grad = network.loss.gradient(
        network.forward(x, training=True, rng=rng), classes_as(network, classes)
    )
    assert network.backward(grad) is None


def classes_as(network: Network, classes: np.ndarray) -> np.ndarray:
    return encode_targets(classes, network.config.n_classes)


def test_batch_norm_parameter_gradients_of_the_inference_function():
    """After an inference pass, batch normalisation's gamma and beta gradients are those of the
    fixed affine map (running statistics), checked by finite differences."""
    network = trained((), (5,), True, 0.0, 3)
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, SIDE * SIDE))
    classes = np.array([0, 1, 2, 1])
    seed = np.eye(3)[classes]
    network.input_gradient(x, seed)
    norm = next(layer for layer in network.layers if layer.kind == "batch_norm")
    for name in ("gamma", "beta"):
        analytic = norm.grads[name].copy()
        numeric = np.zeros_like(analytic)
        for i in range(len(numeric)):
            for sign in (1, -1):
                norm.params[name][i] += sign * 1e-6
                numeric[i] += sign * scores(network, x, classes).sum() / 2e-6
                norm.params[name][i] -= sign * 1e-6
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_pooling_backward_after_inference_routes_to_the_same_winners_as_training():
    network = trained((2,), (), False, 0.0, 2)
    pool = next(layer for layer in network.layers if layer.kind == "max_pool2d")
    rng = np.random.default_rng(4)
    images = rng.normal(size=(2, SIDE, SIDE, 3))
    grad = rng.normal(size=(2, SIDE // 2, SIDE // 2, 3))
    pool.forward(images, training=True)
    trained_grad = pool.backward(grad).copy()
    pool.forward(images, training=False)
    np.testing.assert_array_equal(pool.backward(grad), trained_grad)


def test_gradients_are_byte_identical_on_any_thread_count_whole_or_in_chunks(monkeypatch):
    network = trained((3, 2), (4,), True, 0.0, 3, activation="relu")
    rng = np.random.default_rng(5)
    x = rng.normal(size=(9, SIDE * SIDE))
    classes = rng.integers(0, 3, 9)

    def on_each_thread_count() -> np.ndarray:
        results = []
        for threads in (1, 2, 3):
            with using_threads(threads):
                results.append(explain.class_score_gradients(network, x, classes))
        assert all(r.tobytes() == results[0].tobytes() for r in results)
        return results[0]

    whole = on_each_thread_count()
    monkeypatch.setattr(model_module, "INFERENCE_FLOATS", 4 * network.config.floats_per_sample())
    np.testing.assert_allclose(on_each_thread_count(), whole, rtol=1e-12, atol=1e-15)


def test_mean_saliency_averages_magnitudes_per_class():
    gradients = np.array([[1.0, -2.0], [-3.0, 4.0], [5.0, 0.0]])
    saliency = explain.mean_saliency(gradients, np.array([0, 0, 2]), 3)
    np.testing.assert_array_equal(saliency, [[2.0, 3.0], [0.0, 0.0], [5.0, 0.0]])


def test_first_layer_images_are_each_unit_s_weights_in_pixel_order():
    network = trained((), (5,), False, 0.0, 2)
    weights = network.layers[0].params["W"]  # (64, 5)
    images = explain.first_layer_images(network)
    assert images.shape == (5, SIDE, SIDE)
    np.testing.assert_array_equal(images[3], weights[:, 3].reshape(SIDE, SIDE))


def test_first_layer_images_of_a_cnn_are_its_filters_as_pytorch_lays_them_out():
    network = trained((3,), (), False, 0.0, 2)
    conv = next(layer for layer in network.layers if layer.kind == "conv2d")
    images = explain.first_layer_images(network)
    assert images.shape == (3, 3, 3)
    torch_layout = conv.torch_layout()["W"](conv.params["W"])  # (C_out, C_in, k, k)
    np.testing.assert_array_equal(images, torch_layout[:, 0])


def test_principal_components_match_scikit_learn_up_to_sign():
    rng = np.random.default_rng(6)
    values = rng.normal(size=(40, 6)) @ rng.normal(size=(6, 6)) + 3.0
    coordinates, explained = explain.principal_components(values, 2)
    reference = PCA(n_components=2, svd_solver="full").fit(values)
    np.testing.assert_allclose(explained, reference.explained_variance_ratio_, rtol=1e-10)
    expected = reference.transform(values)
    for k in range(2):
        sign = np.sign(coordinates[:, k] @ expected[:, k])
        np.testing.assert_allclose(coordinates[:, k], sign * expected[:, k], atol=1e-9)


def test_principal_components_have_a_fixed_sign():
    """Each component's largest loading is positive, whatever sign the SVD returns: the data's
    negative projects to the negative of the data's projection."""
    rng = np.random.default_rng(7)
    values = rng.normal(size=(30, 5)) * [5, 3, 1, 1, 1]
    coordinates, _ = explain.principal_components(values, 2)
    centred = values - values.mean(axis=0)
    loadings = np.linalg.lstsq(centred, coordinates, rcond=None)[0]  # (5, 2)
    assert all(loadings[np.abs(loadings[:, k]).argmax(), k] > 0 for k in range(2))
    flipped, _ = explain.principal_components(-values, 2)
    np.testing.assert_allclose(flipped, -coordinates, atol=1e-12)
