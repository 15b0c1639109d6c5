"""What a trained network looks at, by hand: its first layer's weights as images, input-gradient
saliency, and a principal-component map of what its output layer reads.

* :func:`first_layer_images`: a dense first layer's weights into each hidden unit, one S x S
  image per unit (its input row holds the pixels in row order); a convolutional network's first
  filters, one k x k image per output channel.
* :func:`class_score_gradients`: for each sample, the gradient of one class's score with
  respect to the input (Simonyan et al., 2014), through the inference function (dropout off,
  batch normalisation with its running statistics). A class's score is its logit for K > 2
  classes; with two classes the one logit z is class 1's log-odds against class 0, so class 1's
  score is z and class 0's is -z. :func:`mean_saliency` averages the gradients' magnitudes over
  each class's samples: the pixels whose change moves the class's score most.
* :func:`principal_components`: the projection of a matrix's rows on its first principal
  components, from the SVD of the centred matrix, with each component's sign fixed so that its
  largest loading is positive (the same components on every run and machine).

Inputs are feature rows (N, n_features) as the network takes them (the scaled pixels), and the
gradients are with respect to them: with standardised pixels, a gradient is the score's change
per standard deviation of the pixel, so pixels that barely vary do not dominate the map.
Results are NumPy arrays on the host, float64.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from signnet.nn.backend import namespace, to_numpy
from signnet.nn.model import Network

Array = Any

CITATION = "Simonyan 2014"  # the saliency map's, a key of the report's references


def first_layer_images(network: Network) -> np.ndarray:
    """The first layer's weights as images: (units, S, S) for a dense first layer on S x S
    inputs, (C_out, k, k) for a first convolution on one channel."""
    weights = to_numpy(network.trainable()[0].params["W"]).astype(np.float64)  # (inputs, units)
    side = math.isqrt(weights.shape[0])
    # Rows are the pixels in (row, column) order, or a filter's offsets (dy, dx) on one channel.
    return np.ascontiguousarray(weights.T).reshape(weights.shape[1], side, side)


def class_score_gradients(network: Network, x: Array, classes: np.ndarray) -> np.ndarray:
    """d score of ``classes[i]`` / d x[i] for each sample (see the module for the scores):
    (N, n_features) from inputs x (N, n_features) and class indices (N,)."""
    xp = namespace(x)
    units = network.config.widths[-1]
    seed = np.zeros((len(classes), units))  # (N, units): d score / d logits
    if units == 1:
        seed[:, 0] = np.where(np.asarray(classes) == 1, 1.0, -1.0)
    else:
        seed[np.arange(len(classes)), classes] = 1.0
    seed = xp.asarray(seed, dtype=x.dtype)
    gradients = network.in_chunks(
        lambda rows: network.input_gradient(x[rows, ...], seed[rows, ...]), x.shape[0]
    )
    return to_numpy(gradients).astype(np.float64)


def mean_saliency(gradients: np.ndarray, labels: np.ndarray, n_classes: int) -> np.ndarray:
    """The mean magnitude of ``gradients`` (N, F) over the samples of each class: (K, F), a row
    of zeros for a class without samples."""
    saliency = np.zeros((n_classes, gradients.shape[1]))
    for k in range(n_classes):
        mine = labels == k
        if mine.any():
            saliency[k] = np.abs(gradients[mine]).mean(axis=0)
    return saliency


def principal_components(values: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows of ``values`` (N, F) projected on their first ``n`` principal components
    (N, n), and the share of the variance each component explains (n,)."""
    centred = np.asarray(values, dtype=np.float64) - values.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    n = min(n, len(s))
    signs = np.sign(vt[np.arange(n), np.abs(vt[:n]).argmax(axis=1)])  # largest loading > 0
    signs[signs == 0] = 1.0
    total = float((s**2).sum())
    explained = s[:n] ** 2 / total if total > 0 else np.zeros(n)
    return u[:, :n] * s[:n] * signs, explained
