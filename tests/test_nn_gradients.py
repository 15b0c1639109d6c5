"""Forward passes against plain NumPy formulas; backward passes against central differences.

Each check says which half failed: a wrong forward is a wrong function, a wrong backward is a
wrong derivative. All in float64, with relative error below 1e-6.
"""

import numpy as np
import pytest

from signnet.nn.activations import ACTIVATIONS, LEAKY_SLOPE
from signnet.nn.losses import BinaryCrossEntropy, SoftmaxCrossEntropy, encode_targets
from signnet.nn.model import Network
from tests.conftest import dense, layer

EPS = 1e-6
TOLERANCE = 1e-6

REFERENCE = {
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
}


def numeric_gradient(f, x):
    """Central differences of the scalar function f at every element of x (changed in place)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        saved = x[index]
        x[index] = saved + EPS
        up = f()
        x[index] = saved - EPS
        down = f()
        x[index] = saved
        grad[index] = (up - down) / (2 * EPS)
    return grad


def relative_error(a, b):
    """||a - b|| / (||a|| + ||b||): insensitive to elements that are zero up to rounding."""
    return np.linalg.norm(a - b) / max(1e-12, np.linalg.norm(a) + np.linalg.norm(b))


def assert_backward(analytic, numeric, what):
    error = relative_error(analytic, numeric)
    assert error < TOLERANCE, f"backward of {what} is wrong: relative error {error:.2e}"


def test_every_activation_has_a_reference_here():
    assert set(REFERENCE) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_forward_and_backward(name):
    rng = np.random.default_rng(1)
    z = rng.normal(size=(4, 5)) * 3
    z[np.abs(z) < 1e-3] = 0.5  # keep relu away from its kink
    weights = rng.normal(size=(4, 5))  # loss = sum(weights * f(z)), so d loss / d f = weights
    activation = layer("activation", name=name)
    out = activation.forward(z, training=False)
    np.testing.assert_allclose(out, REFERENCE[name](z), rtol=1e-12, err_msg="forward")
    analytic = activation.backward(weights)
    numeric = numeric_gradient(lambda: np.sum(weights * REFERENCE[name](z)), z)
    assert_backward(analytic, numeric, name)


def test_dense_forward_and_backward():
    rng = np.random.default_rng(2)
    x, w, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2)
    upstream = rng.normal(size=(3, 2))
    dense_layer = layer("dense", {"W": w, "b": b}, inputs=4, units=2)
    np.testing.assert_allclose(dense_layer.forward(x, training=True), x @ w + b, err_msg="forward")
    grad_x = dense_layer.backward(upstream)

    def loss():
        return np.sum(upstream * (x @ w + b))

    assert_backward(dense_layer.grads["W"], numeric_gradient(loss, w), "dense W")
    assert_backward(dense_layer.grads["b"], numeric_gradient(loss, b), "dense b")
    assert_backward(grad_x, numeric_gradient(loss, x), "dense input")


@pytest.mark.parametrize("loss", [BinaryCrossEntropy, SoftmaxCrossEntropy])
def test_loss_forward_and_backward(loss):
    rng = np.random.default_rng(3)
    units = 1 if loss is BinaryCrossEntropy else 4
    logits = rng.normal(size=(6, units)) * 2
    targets = encode_targets(rng.integers(0, max(units, 2), 6), max(units, 2))
    if units == 1:
        p = 1 / (1 + np.exp(-logits))
        expected = np.mean(-targets * np.log(p) - (1 - targets) * np.log(1 - p))
    else:
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        expected = -np.mean(np.sum(targets * np.log(p), axis=1))
    assert loss.loss(logits, targets) == pytest.approx(expected, rel=1e-12), "forward"
    np.testing.assert_allclose(loss.probabilities(logits), p, rtol=1e-12, err_msg="forward")
    numeric = numeric_gradient(lambda: loss.loss(logits, targets), logits)
    assert_backward(loss.gradient(logits, targets), numeric, loss.name)


@pytest.mark.parametrize("loss", [BinaryCrossEntropy, SoftmaxCrossEntropy])
def test_losses_stay_finite_and_silent_for_huge_logits(loss):
    # Two samples of classes 1 and 0, each given a logit of 1000 for the wrong class.
    if loss is BinaryCrossEntropy:
        logits, targets = np.array([[-1000.0], [1000.0]]), encode_targets(np.array([1, 0]), 2)
    else:
        logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]])
        targets = encode_targets(np.array([1, 0]), 3)
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # overflow, log(0), 0/0
        value = loss.loss(logits, targets)
        grad = loss.gradient(logits, targets)
        probabilities = loss.probabilities(logits)
    assert value == pytest.approx(1000.0 if loss is BinaryCrossEntropy else 2000.0)
    assert np.all(np.isfinite(grad)) and np.all(np.isfinite(probabilities))


@pytest.mark.parametrize("hidden", [(), (5,), (5, 4)])
@pytest.mark.parametrize(
    ("activation", "n_classes"), [("sigmoid", 2), ("tanh", 3), ("relu", 2), ("leaky_relu", 3)]
)
def test_whole_network_backward(hidden, activation, n_classes):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(7, 6))
    targets = encode_targets(rng.integers(0, n_classes, 7), n_classes)
    network = Network.initialise(dense(6, n_classes, hidden, activation, "he"), 5, np)
    for params in network.parameters():  # non-zero biases keep relu units off their kink at 0
        params["b"] += rng.uniform(0.1, 0.5, size=params["b"].shape)
    network.compute_gradients(x, targets, np.random.default_rng(0))
    for i, (params, grads) in enumerate(
        zip(network.parameters(), network.gradients(), strict=True)
    ):
        for name in params:
            numeric = numeric_gradient(
                lambda: network.loss.loss(network.forward(x), targets), params[name]
            )
            assert_backward(grads[name], numeric, f"layer {i} {name} of {hidden} {activation}")
