"""Each activation and its derivative against a reference computed with 50 significant digits,
over the whole range of its input (saturated tails included), in float32 and float64: within a
few units in the last place (ULP) of the correctly rounded value; and the losses and
probabilities built on them stay consistent."""

import decimal

import numpy as np
import pytest

from signnet.nn.activations import ACTIVATIONS, LEAKY_SLOPE
from signnet.nn.losses import BinaryCrossEntropy

decimal.getcontext().prec = 50
D = decimal.Decimal
MOST_ULPS = 4


def _sigmoid(z: D) -> tuple[D, D]:
    e = (-abs(z)).exp()
    value = 1 / (1 + e) if z >= 0 else e / (1 + e)
    return value, e / ((1 + e) * (1 + e))


def _tanh(z: D) -> tuple[D, D]:
    if abs(z) < D("1e-12"):  # the series: 1 - e^-2z would cancel even at 50 digits
        return z - z**3 / 3, 1 - z * z
    e = (-2 * abs(z)).exp()
    value = (1 - e) / (1 + e)
    return (value if z >= 0 else -value), 4 * e / ((1 + e) * (1 + e))


REFERENCES = {
    "sigmoid": _sigmoid,
    "tanh": _tanh,
    "relu": lambda z: (max(z, D(0)), D(1) if z > 0 else D(0)),
    "leaky_relu": lambda z: (
        z if z > 0 else D(LEAKY_SLOPE) * z,
        D(1) if z > 0 else D(LEAKY_SLOPE),
    ),
}


def inputs(dtype) -> np.ndarray:
    """0 and both signs of magnitudes from 1e-30 to past where each tail saturates."""
    largest = 800.0 if dtype == np.float64 else 110.0
    magnitudes = np.geomspace(1e-30, largest, 3000)
    return np.concatenate([[0.0], magnitudes, -magnitudes]).astype(dtype)


def ulps(computed: np.ndarray, reference: list[D], dtype) -> np.ndarray:
    """How many units in the last place (of the correctly rounded reference) apart."""
    rounded = np.array([float(r) for r in reference]).astype(dtype)
    exact = np.array([r for r in reference], dtype=object)
    error = np.array([abs(D(float(c)) - r) for c, r in zip(computed, exact, strict=True)])
    spacing = np.spacing(np.abs(rounded)).astype(np.float64)
    spacing[spacing == 0] = np.finfo(dtype).smallest_subnormal
    return np.array([float(e) for e in error]) / spacing


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_and_derivative_within_a_few_ulps_everywhere(name, dtype):
    activation = ACTIVATIONS[name]
    z = inputs(dtype)
    value = activation.forward(z, np)
    derivative = activation.backward(np.ones_like(z), z, np)
    assert value.dtype == dtype and derivative.dtype == dtype
    references = [REFERENCES[name](D(float(x))) for x in z]
    value_ulps = ulps(value, [r[0] for r in references], dtype)
    derivative_ulps = ulps(derivative, [r[1] for r in references], dtype)
    worst = int(np.argmax(value_ulps)), int(np.argmax(derivative_ulps))
    assert value_ulps.max() <= MOST_ULPS, (z[worst[0]], value_ulps.max())
    assert derivative_ulps.max() <= MOST_ULPS, (z[worst[1]], derivative_ulps.max())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_confident_logits_keep_distinct_probabilities(dtype):
    """Below the cancelling form's floor (it returned exactly 0 under -20 in float32), distinct
    logits give distinct probabilities, so the ROC gets no false ties."""
    logits = -np.linspace(20, 80, 500).astype(dtype)
    probabilities = BinaryCrossEntropy.probabilities(logits[:, None])[:, 0]
    assert np.all(probabilities > 0)
    assert len(np.unique(probabilities)) == len(np.unique(logits))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_loss_and_its_gradient_agree_with_the_probabilities(dtype):
    logits = np.array([[-60.0], [-15.0], [-1.0], [0.0], [2.0], [30.0]], dtype=dtype)
    targets = np.array([[1.0], [0.0], [1.0], [0.0], [1.0], [0.0]], dtype=dtype)
    p = BinaryCrossEntropy.probabilities(logits)
    gradient = BinaryCrossEntropy.gradient(logits, targets)
    np.testing.assert_array_equal(gradient, (p - targets) / len(logits))
    # The loss per sample is -log p(target) = log(1 + e^(-z)) or log(1 + e^z): finite and
    # accurate at every logit (60 at -60 with target 1, not inf from log 0).
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    for z, t in zip(logits[:, 0], targets[:, 0], strict=True):
        got = float(BinaryCrossEntropy.loss(np.array([[z]]), np.array([[t]])))
        sign = -1 if t else 1
        want = float((1 + (sign * D(float(z))).exp()).ln())
        assert got == pytest.approx(want, rel=tolerance), (z, t)
