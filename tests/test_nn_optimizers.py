"""Updates worked out by hand on tiny networks."""

import numpy as np
import pytest

from signnet.nn.layers import LAYERS
from signnet.nn.model import Network  # noqa: F401  (registers every layer)
from signnet.nn.optimizers import SGD, Adam, Momentum
from tests.conftest import dense, layer, with_weights


def tiny_network():
    """Logistic regression on 2 features: w = [0.5, -0.25], b = 0.1."""
    return with_weights(dense(2, 2), [(np.array([[0.5], [-0.25]]), np.array([0.1]))])


def test_one_sgd_step_matches_the_hand_computation():
    network = tiny_network()
    x = np.array([[1.0, 2.0], [3.0, -1.0]])
    targets = np.array([[1.0], [0.0]])
    # z = x @ w + b = [0.5 - 0.5 + 0.1, 1.5 + 0.25 + 0.1] = [0.1, 1.85]
    p = 1 / (1 + np.exp(-np.array([0.1, 1.85])))
    dz = (p - np.array([1.0, 0.0])) / 2  # (sigmoid - target) / batch
    expected_w = np.array([0.5, -0.25]) - 0.1 * np.array([dz @ [1.0, 3.0], dz @ [2.0, -1.0]])
    expected_b = 0.1 - 0.1 * dz.sum()
    network.compute_gradients(x, targets, np.random.default_rng(0))
    SGD(lr=0.1, weight_decay=0.0).step(network.trainable())
    np.testing.assert_allclose(network.parameters()[0]["W"][:, 0], expected_w, rtol=1e-14)
    np.testing.assert_allclose(network.parameters()[0]["b"], [expected_b], rtol=1e-14)


def step(optimizer, grads_sequence, start=1.0):
    """Apply each gradient in turn to a dense layer of one weight and bias; return the weight's
    path and the bias."""
    unit = layer("dense", {"W": np.array([[start]]), "b": np.array([start])}, inputs=1, units=1)
    path = []
    for g in grads_sequence:
        unit.grads = {"W": np.array([[g]]), "b": np.array([g])}
        optimizer.step([unit])
        path.append(float(unit.params["W"][0, 0]))
    return path, float(unit.params["b"][0])


def test_adam_first_steps_by_hand():
    path, _ = step(Adam(lr=0.1, beta1=0.9, beta2=0.999, weight_decay=0.0, eps=1e-8), [2.0, -1.0])
    # t=1: m = 0.2, v = 0.004; m_hat = 2, v_hat = 4; w = 1 - 0.1 * 2 / (2 + 1e-8)
    w1 = 1 - 0.1 * 2 / (2 + 1e-8)
    # t=2: m = 0.9*0.2 - 0.1 = 0.08; v = 0.999*0.004 + 0.001 = 0.004996
    m_hat, v_hat = 0.08 / (1 - 0.9**2), 0.004996 / (1 - 0.999**2)
    w2 = w1 - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    assert path == pytest.approx([w1, w2], rel=1e-14)


def test_momentum_by_hand():
    path, _ = step(Momentum(lr=0.1, momentum=0.5, weight_decay=0.0), [1.0, 1.0, -2.0])
    # v: 1, 1.5, -1.25 ; w: 0.9, 0.75, 0.875
    assert path == pytest.approx([0.9, 0.75, 0.875], rel=1e-14)


def test_weight_decay_applies_to_weights_not_biases():
    path, bias = step(SGD(lr=0.1, weight_decay=0.5), [0.0])
    assert path == pytest.approx([1 - 0.1 * 0.5 * 1.0])  # decay pulls the weight
    assert bias == 1.0  # the bias has zero gradient and no decay


def test_weight_decay_follows_each_layer_s_declaration():
    spec = {"kind": "batch_norm", "features": 2, "images": False}
    norm = LAYERS["batch_norm"].create(spec, None, np, np.float64)
    norm.grads = {name: np.zeros(2) for name in norm.params}
    SGD(lr=0.1, weight_decay=0.5).step([norm])
    np.testing.assert_array_equal(norm.params["gamma"], [1.0, 1.0])  # a scale is not decayed
    assert {kind: set(c.decayed) for kind, c in LAYERS.items() if c.decayed} == {
        "dense": {"W"},
        "conv2d": {"W"},
    }
