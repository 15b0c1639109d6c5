"""What the trained network looks at, as facts for the report: its first layer's weights, the
saliency of the digits on the test part, and the test images on the principal components of
what its output layer reads (the computations are :mod:`signnet.nn.explain`'s).

Rows and columns count from 1 at the top left. Arrays are NumPy float64 on the host.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from signnet.modelfile import TrainedModel
from signnet.nn.backend import to_numpy
from signnet.nn.explain import (
    class_score_gradients,
    first_layer_images,
    mean_saliency,
    principal_components,
)
from signnet.report.judgements import neighbour_correlation, structured

# A map's most salient pixels: this share of the image's pixels.
TOP_SHARE = 0.05
# A convolution filter whose weights sum to less than this share of their magnitudes' sum
# responds to contrast (edges, spots), not to brightness.
CONTRAST = 0.25
# The ninths of an image, by third down (top, middle, bottom) and across (left, centre, right).
REGIONS = (
    ("top left", "top centre", "top right"),
    ("middle left", "centre", "middle right"),
    ("bottom left", "bottom centre", "bottom right"),
)
# The first layer's weights differ between the image's centre and border when the mean
# magnitude of one is this many times the other's.
CENTRE_CONTRAST = 1.2


@dataclasses.dataclass(frozen=True)
class Hotspot:
    """Where the most salient pixels of one digit's map (or, for a pair, of the pixels that
    speak for it) lie."""

    digit: int
    row: float  # the mean row and column of its TOP_SHARE most salient pixels
    column: float
    region: str  # the ninth of the image (thirds across and down) holding most of those pixels
    in_region: int  # how many of them lie in it
    share: float  # of the map's total magnitude those pixels carry


@dataclasses.dataclass(frozen=True)
class FirstLayerFacts:
    """The first layer's weights as images."""

    kind: str  # the layer's: "dense" or "conv2d"
    images: np.ndarray  # (units, h, w): each unit's or filter's weights
    smoothness: float  # the correlation of neighbouring weights (judgements.neighbour_correlation)
    structured: bool  # smooth enough to be worth drawing (judgements.structured)
    centre_ratio: float  # dense: mean |weight| in the middle half of rows and columns / the rest's
    contrast_filters: int  # conv: filters whose weights' sum is under CONTRAST of their |sum|


@dataclasses.dataclass(frozen=True)
class SaliencyFacts:
    """Saliency on the test part (Simonyan et al., 2014).

    For a pair (``signed``), one map: the mean over every test image of the gradient of the
    positive digit's log-odds, the score that separates the two; positive pixels speak for the
    positive digit, negative ones for the other, and ``hotspots`` holds one per digit, from the
    pixels that speak for it. Otherwise one map per digit: the mean magnitude of the gradient of
    its logit over its own test images."""

    signed: bool
    maps: np.ndarray  # (1, S, S) signed, or (K, S, S) magnitudes
    mean_images: np.ndarray  # the mean test image under each map, (1 or K, S, S)
    top_pixels: int  # the TOP_SHARE of the pixels counted as a map's most salient
    hotspots: tuple[Hotspot, ...]  # per digit, in class order
    shared_top: int  # K > 2: pixels in every digit's most salient set


@dataclasses.dataclass(frozen=True)
class MapFacts:
    """The test images on the first two principal components of what the output layer reads."""

    representation: str  # "hidden", "conv" or "input" (see Network.last_hidden)
    width: int  # its values per image
    coordinates: np.ndarray  # (N, 2)
    explained: tuple[float, float]  # the variance share of each component
    labels: np.ndarray  # (N,) class index of each test image
    wrong: np.ndarray  # (N,) bool: misclassified
    nearest_centre: float  # share of test images nearest their own class's centre in the map
    wrong_near_predicted: int  # misclassified images nearer the predicted class's centre


@dataclasses.dataclass(frozen=True)
class NetworkViews:
    first_layer: FirstLayerFacts
    saliency: SaliencyFacts
    map: MapFacts


def most_salient(saliency: np.ndarray, top: int) -> np.ndarray:
    """The flat indices of the ``top`` largest values of ``saliency`` (S, S), largest first."""
    return np.argsort(-saliency.ravel(), kind="stable")[:top]


def hotspot(digit: int, saliency: np.ndarray, top: int) -> Hotspot:
    """Where the ``top`` largest values of ``saliency`` (S, S, none negative) lie."""
    side = saliency.shape[0]
    chosen = most_salient(saliency, top)
    rows, columns = np.divmod(chosen, side)
    # The ninth of each pixel (thirds down, then across); the one holding most (the first on
    # ties), not the ninth of their mean, which two clusters apart would put between them.
    ninths = np.minimum(3 * rows // side, 2) * 3 + np.minimum(3 * columns // side, 2)
    counts = np.bincount(ninths, minlength=9)
    most = int(counts.argmax())
    total = saliency.sum()
    return Hotspot(
        digit=digit,
        row=float(rows.mean()) + 1,
        column=float(columns.mean()) + 1,
        region=REGIONS[most // 3][most % 3],
        in_region=int(counts[most]),
        share=float(saliency.ravel()[chosen].sum() / total) if total > 0 else 0.0,
    )


def _first_layer(model: TrainedModel) -> FirstLayerFacts:
    images = first_layer_images(model.network)  # (units, h, w)
    kind = model.network.trainable()[0].kind
    centre_ratio, contrast = float("nan"), 0
    if kind == "dense":
        side = images.shape[1]
        half = slice(side // 4, side - side // 4)
        centre = np.zeros((side, side), dtype=bool)
        centre[half, half] = True
        magnitude = np.abs(images).mean(axis=0)  # (S, S)
        centre_ratio = float(magnitude[centre].mean() / magnitude[~centre].mean())
    else:
        sums = np.abs(images.sum(axis=(1, 2)))
        contrast = int((sums < CONTRAST * np.abs(images).sum(axis=(1, 2))).sum())
    smoothness = neighbour_correlation(images)
    return FirstLayerFacts(kind, images, smoothness, structured(smoothness), centre_ratio, contrast)


def _saliency(model: TrainedModel, x: np.ndarray, test: dict, digits: list[int]) -> SaliencyFacts:
    images, labels = test["images"], test["labels"]
    k, side = len(digits), images.shape[1]
    top = max(1, round(TOP_SHARE * side * side))
    if k == 2:  # the gradient of the positive digit's log-odds, for every test image
        gradients = class_score_gradients(model.network, x, np.ones(len(labels), dtype=int))
        signed = gradients.mean(axis=0).reshape(side, side)
        return SaliencyFacts(
            signed=True,
            maps=signed[None],
            mean_images=images.mean(axis=0)[None],
            top_pixels=top,
            hotspots=(
                hotspot(digits[0], np.maximum(-signed, 0), top),
                hotspot(digits[1], np.maximum(signed, 0), top),
            ),
            shared_top=0,
        )
    gradients = class_score_gradients(model.network, x, labels)  # (N, S*S)
    maps = mean_saliency(gradients, labels, k).reshape(k, side, side)
    tops = [set(most_salient(maps[c], top).tolist()) for c in range(k)]
    return SaliencyFacts(
        signed=False,
        maps=maps,
        mean_images=np.stack(
            [
                images[labels == c].mean(axis=0) if (labels == c).any() else np.zeros((side, side))
                for c in range(k)
            ]
        ),
        top_pixels=top,
        hotspots=tuple(hotspot(d, maps[c], top) for c, d in enumerate(digits)),
        shared_top=len(set.intersection(*tops)),
    )


def _map(model: TrainedModel, x: np.ndarray, labels: np.ndarray, predicted: np.ndarray) -> MapFacts:
    config = model.network.config
    hidden = to_numpy(model.network.last_hidden(x))  # (N, widths[-2])
    coordinates, explained = principal_components(hidden, 2)
    if coordinates.shape[1] < 2:  # one value per image: the map's second axis is flat
        coordinates = np.pad(coordinates, ((0, 0), (0, 2 - coordinates.shape[1])))
        explained = np.pad(explained, (0, 2 - len(explained)))
    present = [c for c in range(config.n_classes) if (labels == c).any()]
    centres = np.stack([coordinates[labels == c].mean(axis=0) for c in present])  # (K', 2)
    distances = np.linalg.norm(coordinates[:, None, :] - centres[None], axis=2)  # (N, K')
    index = {c: i for i, c in enumerate(present)}
    wrong = predicted != labels
    return MapFacts(
        representation="hidden" if config.hidden else "conv" if config.conv else "input",
        width=hidden.shape[1],
        coordinates=coordinates,
        explained=(float(explained[0]), float(explained[1])),
        labels=labels,
        wrong=wrong,
        nearest_centre=float((np.asarray(present)[distances.argmin(axis=1)] == labels).mean()),
        wrong_near_predicted=sum(
            1
            for i in np.flatnonzero(wrong)
            if predicted[i] in index
            and distances[i, index[predicted[i]]] < distances[i, index[labels[i]]]
        ),
    )


def network_views(
    model: TrainedModel, test: dict, probabilities: np.ndarray, digits: list[int]
) -> NetworkViews:
    """The three views of ``model`` on the test part ``test`` (data/test.npz's arrays), whose
    predicted ``probabilities`` (N, K) the evaluate stage wrote."""
    x = model.inputs(test["images"])  # (N, S*S), as the network takes them
    return NetworkViews(
        first_layer=_first_layer(model),
        saliency=_saliency(model, x, test, digits),
        map=_map(model, x, test["labels"], probabilities.argmax(axis=1)),
    )
